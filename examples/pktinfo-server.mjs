// A UDP server bound to 0.0.0.0 that learns, from IP_PKTINFO, which of the
// host's addresses each datagram was sent to, and replies from that same
// address (an IP_PKTINFO control message in sendmsg). Without this, a
// multi-homed server answers from whatever address the routing table
// picks, and clients that connect() their UDP socket drop the reply.
// Here the host's addresses are 127.0.0.1 and 127.0.0.2 on loopback.
import * as socket from 'bsdsock';

const { IPPROTO_IP, IP_PKTINFO } = socket;

const server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
server.setsockopt(IPPROTO_IP, IP_PKTINFO, 1);
server.bind(['0.0.0.0', 0]);
const port = server.getsockname()[1];

async function serve(count) {
  for (let i = 0; i < count; i++) {
    // struct in_pktinfo { int ipi_ifindex; struct in_addr ipi_spec_dst, ipi_addr; }: 12 bytes.
    const [data, ancdata, , client] = await server.recvmsgAsync(1024, socket.CMSG_SPACE(12));
    const info = ancdata.find(([level, type]) => level === IPPROTO_IP && type === IP_PKTINFO)[2];
    const destination = info.subarray(8, 12); // ipi_addr: where the datagram was sent
    // Reply with ipi_ifindex 0 and ipi_spec_dst = that address: the source of the reply.
    const reply = Buffer.concat([Buffer.alloc(4), destination, Buffer.alloc(4)]);
    const text = `${data} reached ${socket.inet_ntoa(destination)}`;
    server.sendmsg([Buffer.from(text)], [[IPPROTO_IP, IP_PKTINFO, reply]], 0, client);
  }
}

async function ask(host) {
  const client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  client.connect([host, port]); // accepts replies from [host, port] only
  client.settimeout(5);
  await client.sendAsync(Buffer.from(`hello ${host}`));
  const [reply, from] = await client.recvfromAsync(1024);
  console.log(`client: "${reply}" (answered from ${from[0]})`);
  client.close();
}

const served = serve(2);
await ask('127.0.0.1');
await ask('127.0.0.2');
await served;
server.close();
