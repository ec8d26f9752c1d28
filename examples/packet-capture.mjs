// Capturing on an interface with an AF_PACKET socket (root), as tcpdump
// does: open the capture on lo, send ourselves a UDP datagram over
// 127.0.0.1, and decode the copy the capture socket was handed.
// Run: sudo node examples/packet-capture.mjs
import * as socket from 'bsdsock';

const ETH_P_IP = 0x0800; // linux/if_ether.h: the IPv4 EtherType
const ARPHRD = { 1: 'ARPHRD_ETHER', 772: 'ARPHRD_LOOPBACK' }; // linux/if_arp.h: link types
// pkttype says which way the frame went: its number back to its name.
const PKTTYPE = Object.fromEntries(
  ['PACKET_HOST', 'PACKET_BROADCAST', 'PACKET_MULTICAST', 'PACKET_OTHERHOST', 'PACKET_OUTGOING'].map((n) => [socket[n], n]),
);

// SOCK_DGRAM: the kernel strips the link-layer header, so each datagram is
// an IP packet (SOCK_RAW would keep it). The socket's protocol is in network
// byte order, as in C; the address tuple's is in host order, as in Python.
const cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP));
cap.bind(['lo', ETH_P_IP]); // IPv4 on lo only, not every interface
cap.settimeout(5);

// Something to capture: a datagram from a UDP socket to itself.
const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
udp.bind(['127.0.0.1', 0]);
const port = udp.getsockname()[1];
udp.sendto(Buffer.from(`hello from pid ${process.pid}`), ['127.0.0.1', port]);

// lo carries other traffic too: read until our datagram comes by
// (UDP in the IPv4 header's protocol field, from our port to our port).
let packet, from, ihl;
for (;;) {
  [packet, from] = cap.recvfrom(65536);
  ihl = (packet[0] & 0x0f) * 4; // IPv4 header length, in 32-bit words
  const isUdp = packet[9] === socket.IPPROTO_UDP;
  if (isUdp && packet.readUInt16BE(ihl) === port && packet.readUInt16BE(ihl + 2) === port) break;
}

const [ifname, proto, pkttype, hatype, hwaddr] = from;
const mac = [...hwaddr].map((b) => b.toString(16).padStart(2, '0')).join(':');
console.log(
  `captured on ${ifname}: proto=0x${proto.toString(16).padStart(4, '0')} pkttype=${PKTTYPE[pkttype]} ` +
    `hatype=${hatype} (${ARPHRD[hatype] ?? 'see linux/if_arp.h'}) addr=${mac}`,
);

// The IPv4 header (RFC 791), then the UDP header (RFC 768): 8 bytes.
const src = socket.inet_ntoa(packet.subarray(12, 16));
const dst = socket.inet_ntoa(packet.subarray(16, 20));
console.log(`IPv4 ${src} -> ${dst} ttl=${packet[8]} length=${packet.readUInt16BE(2)}`);
const udpHeader = packet.subarray(ihl, ihl + 8);
const payload = packet.subarray(ihl + 8, ihl + udpHeader.readUInt16BE(4));
console.log(`UDP ${src}:${udpHeader.readUInt16BE(0)} -> ${dst}:${udpHeader.readUInt16BE(2)} payload "${payload}"`);

// Capturing takes a copy: the datagram still reached its socket.
console.log(`the UDP socket received it too: "${udp.recv(1024)}"`);
cap.close();
udp.close();
