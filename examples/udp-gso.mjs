// UDP segmentation offload (Linux, beyond Python's own examples): one
// sendmsg hands the kernel a large buffer and a UDP_SEGMENT control
// message; the kernel sends it as many datagrams of that size (the last may
// be shorter). A receiver with UDP_GRO on may get such a train back whole,
// with the segment size in a UDP_GRO control message; a receiver without it
// gets the separate datagrams.
// Run: node examples/udp-gso.mjs
import { endianness } from 'node:os';
import * as socket from 'bsdsock';

const SEGMENT = 1200;
const TOTAL = 11_500; // 9 datagrams of 1,200 bytes and one of 700

function receiver(gro) {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  if (gro) r.setsockopt(socket.SOL_UDP, socket.UDP_GRO, 1);
  r.bind(['127.0.0.1', 0]);
  r.settimeout(0.2); // the receive loops end when nothing more comes
  return r;
}

const plain = receiver(false);
const coalescing = receiver(true);
const sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);

const payload = Buffer.alloc(TOTAL);
for (let i = 0; i < TOTAL; i++) payload[i] = i % 251;
// The control message's data is a C uint16_t: the segment size.
const segment = [socket.SOL_UDP, socket.UDP_SEGMENT, new Uint16Array([SEGMENT])];
for (const r of [plain, coalescing]) {
  const sent = sender.sendmsg([payload], [segment], 0, r.getsockname());
  console.log(`sendmsg with UDP_SEGMENT ${SEGMENT}: ${sent} bytes in one call`);
}

// Without UDP_GRO: one datagram per segment.
const sizes = [];
const parts = [];
for (;;) {
  try {
    const d = plain.recv(65536);
    sizes.push(d.length);
    parts.push(d);
  } catch (e) {
    if (e instanceof socket.TimeoutError) break;
    throw e;
  }
}
console.log(`without UDP_GRO: ${sizes.length} datagrams: ${sizes.join(' ')}`);
console.log(`reassembled intact: ${Buffer.concat(parts).equals(payload)}`);

// With UDP_GRO: the train arrives whole, and says how it was cut.
const [data, ancdata] = coalescing.recvmsg(65536, socket.CMSG_SPACE(4));
const gro = ancdata.find(([level, type]) => level === socket.SOL_UDP && type === socket.UDP_GRO);
const size = gro ? (endianness() === 'LE' ? gro[2].readInt32LE(0) : gro[2].readInt32BE(0)) : null;
console.log(`with UDP_GRO: one receive of ${data.length} bytes, segment size ${size}`);
console.log(`intact: ${data.equals(payload)}`);

for (const s of [plain, coalescing, sender]) s.close();
