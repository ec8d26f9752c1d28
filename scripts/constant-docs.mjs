// The TSDoc comment scripts/build.mjs writes above each generated constant:
// what its prefix means, and a TypeDoc @group so that the API reference
// lists the constants by prefix (AF_*, SO_*, ...) rather than in one heap.

/** Prefix -> what the constants with it are. The longest matching prefix wins. */
const PREFIXES = {
  AF_: 'an address family (the first argument of socket())',
  PF_: 'a protocol family, the same number as the AF_ constant of that name',
  SOCK_: 'a socket type (the second argument of socket()), or a flag to or into it',
  SOL_: 'an option level of setsockopt()/getsockopt() (and of control messages)',
  SO_: 'a socket option at level SOL_SOCKET',
  SOMAXCONN: "the system's largest listen() backlog",
  MSG_: 'a flag of the send and receive calls (and of recvmsg\'s msg_flags)',
  SCM_: 'a control message type at level SOL_SOCKET (sendmsg/recvmsg ancillary data)',
  SHUT_: 'how shutdown() closes a connection',
  IPPROTO_: 'an IP protocol number (the third argument of socket(), an option level)',
  IPPORT_: 'a well-known port number or a port range boundary from <netinet/in.h>',
  INADDR_: 'a special IPv4 address, as a host-order integer',
  IP_: 'an IPv4 socket option at level IPPROTO_IP',
  IPV6_: 'an IPv6 socket option at level IPPROTO_IPV6',
  TCP_: 'a TCP socket option at level IPPROTO_TCP',
  UDPLITE_: 'a UDP-Lite socket option at level IPPROTO_UDPLITE',
  UDP_: 'a UDP socket option at level SOL_UDP (UDP_SEGMENT, UDP_GRO...) or a UDP_ENCAP type',
  AI_: 'a getaddrinfo() flag',
  NI_: 'a getnameinfo() flag or buffer size',
  EAI_: 'a getaddrinfo()/getnameinfo() error code (the errno of a gaierror)',
  EAGAIN: 'an errno value Python exports from the socket module',
  EBADF: 'an errno value Python exports from the socket module',
  EWOULDBLOCK: 'an errno value Python exports from the socket module',
  ETH_: 'an Ethernet protocol number for AF_PACKET sockets',
  ETHERTYPE_: 'an EtherType (the protocol field of an Ethernet frame)',
  PACKET_: 'an AF_PACKET socket option or packet type',
  NETLINK_: 'an AF_NETLINK protocol (the third argument of socket()) or socket option',
  CAN_: 'an AF_CAN protocol, option or flag',
  J1939_: 'an SAE J1939 (CAN_J1939) constant',
  ALG_: 'an AF_ALG (kernel crypto API) option or operation',
  TIPC_: 'an AF_TIPC address type, option or scope',
  VMADDR_: 'an AF_VSOCK special address (context id or port)',
  VM_: 'an AF_VSOCK socket option',
  IOCTL_: 'an ioctl number for AF_VSOCK',
  SIOC: 'an interface ioctl number',
  BDADDR_: 'a special Bluetooth device address',
  BTPROTO_: 'a Bluetooth protocol',
  HCI_: 'a Bluetooth HCI socket option',
  RDS_: 'an AF_RDS socket option',
  SYSPROTO_: 'a system socket protocol',
  LOCAL_: 'an AF_UNIX socket option',
  IPX_: 'an IPX constant',
};

/** The prefix a constant is grouped under: the longest known prefix it starts with, else its text up to the first '_'. */
export function constantPrefix(name) {
  let best = '';
  for (const prefix of Object.keys(PREFIXES)) if (name.startsWith(prefix) && prefix.length > best.length) best = prefix;
  if (best) return best;
  const underscore = name.indexOf('_');
  return underscore > 0 ? name.slice(0, underscore + 1) : name;
}

/** The TSDoc comment for the generated constant `name`. */
export function constantComment(name) {
  const prefix = constantPrefix(name);
  const what = PREFIXES[prefix] ?? 'a constant of the system\'s socket interface';
  const group = prefix.endsWith('_') ? `${prefix}*` : prefix === 'SIOC' ? 'SIOC*' : 'Other constants';
  return `/**\n * \`${name}\`: ${what}; its value comes from the system headers at build time.\n * @group Constants: ${group}\n */`;
}

/** The TSDoc comment for CONSTANT_NAMES. */
export const constantNamesComment =
  '/**\n * The names of the constants this platform defines (the table of the loaded binary, read out of the system headers it was built on), sorted.\n * @group Constants: lists\n */';
