// W8: 1,200-byte UDP datagrams in bulk over 127.0.0.1. The measuring process
// sends for DURATION seconds (after WARMUP) in one of four ways:
//   bsdsock-gso       sendmsg of one 57,600-byte buffer with a UDP_SEGMENT
//                     control message: the kernel cuts it into 48 datagrams
//   bsdsock-sendmmsg  sendmmsg of 48 datagrams a call
//   bsdsock-sendto    one sendto per datagram
//   dgram             one send per datagram (yielding to the loop every 256)
// and reports datagrams sent per second and its own CPU time (user + system,
// process.cpuUsage) per datagram. A helper process receives with UDP_GRO on
// (one receiver for every sender, so only the sending differs), counts,
// and prints its count when the end marker (a 1-byte datagram) arrives:
// loss = 1 - received/sent (a sender that outruns the receiver loses
// datagrams at the receive buffer; that is the receiver's limit, not W8's
// subject).
import dgram from 'node:dgram';
import { endianness } from 'node:os';
import * as socket from 'bsdsock';
import { DURATION, WARMUP, now, sleep, spawnHelper } from './common.mjs';

const SIZE = 1200;
const SEGMENTS = 48; // 57,600 bytes per GSO send (the kernel's limit is 64 segments and 64 KiB)
const MAX_CALLS = 50_000_000;
const RCVBUF = 8 << 20;
const LE = endianness() === 'LE';

// --- the receiver (helper role) ------------------------------------------

// With UDP_GRO on, a GSO send reaches the socket whole (one receive for its
// 48 datagrams, with the segment size in a control message); separate
// sends still arrive one by one (loopback does not coalesce them).
function receive() {
  const r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF);
  r.setsockopt(socket.SOL_UDP, socket.UDP_GRO, 1);
  r.bind(['127.0.0.1', 0]);
  console.log(JSON.stringify({ port: r.getsockname()[1] }));
  const buf = Buffer.alloc(65536);
  const ancbufsize = socket.CMSG_SPACE(4);
  let received = 0;
  // Bounded: the measuring process sends the marker within DURATION + WARMUP
  // and kills this helper when it ends.
  for (;;) {
    const [n, ancdata] = r.recvmsg_into([buf], ancbufsize);
    if (n === 1) {
      console.log(JSON.stringify({ received }));
      r.close();
      return;
    }
    const gro = ancdata.find(([level, type]) => level === socket.SOL_UDP && type === socket.UDP_GRO);
    received += gro ? Math.ceil(n / (LE ? gro[2].readInt32LE(0) : gro[2].readInt32BE(0))) : 1;
  }
}

// --- the senders ------------------------------------------------------------

function gsoSender(s, addr) {
  const payload = Buffer.alloc(SIZE * SEGMENTS, 0x67);
  const segment = new Uint16Array([SIZE]);
  const ancdata = [[socket.SOL_UDP, socket.UDP_SEGMENT, segment]];
  const buffers = [payload];
  return () => {
    s.sendmsg(buffers, ancdata, 0, addr);
    return SEGMENTS;
  };
}

function mmsgSender(s, addr) {
  const msg = Buffer.alloc(SIZE, 0x6d);
  const batch = Array.from({ length: SEGMENTS }, () => [msg, addr]);
  return () => {
    let off = 0;
    while (off < SEGMENTS) off += s.sendmmsg(off === 0 ? batch : batch.slice(off));
    return SEGMENTS;
  };
}

function sendtoSender(s, addr) {
  const msg = Buffer.alloc(SIZE, 0x73);
  return () => {
    s.sendto(msg, addr);
    return 1;
  };
}

/** Runs `step` (returns datagrams sent) for WARMUP, then DURATION seconds. */
function timed(step) {
  const warmEnd = now() + WARMUP * 1000;
  let warm = 0;
  while (now() < warmEnd) warm += step();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const end = t0 + DURATION * 1000;
  let sent = 0;
  for (let calls = 0; calls < MAX_CALLS; calls++) {
    sent += step();
    if ((calls & 63) === 0 && now() >= end) break;
  }
  const ms = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { sent, ms, cpuUs: cpu.user + cpu.system, total: warm + sent };
}

async function dgramTimed(port) {
  const s = dgram.createSocket('udp4');
  const msg = Buffer.alloc(SIZE, 0x64);
  const phase = (seconds) =>
    new Promise((resolve) => {
      const end = now() + seconds * 1000;
      let sent = 0;
      const batch = () => {
        for (let k = 0; k < 256; k++, sent++) s.send(msg, port, '127.0.0.1');
        if (now() < end && sent < MAX_CALLS) setImmediate(batch);
        else resolve(sent);
      };
      batch();
    });
  const warm = await phase(WARMUP);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const sent = await phase(DURATION);
  const ms = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { s, r: { sent, ms, cpuUs: cpu.user + cpu.system, total: warm + sent } };
}

export async function bulk(file, impl, role) {
  if (role === 'receiver') return receive();
  const helper = spawnHelper(file, 'receiver');
  const { port } = JSON.parse(await helper.nextLine());
  const addr = ['127.0.0.1', port];
  let r;
  let marker;
  if (impl === 'dgram') {
    const d = await dgramTimed(port);
    r = d.r;
    // Let dgram's queued sends go out before the marker.
    await sleep(50);
    marker = () => d.s.send(Buffer.alloc(1), port, '127.0.0.1');
  } else {
    const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    const step = impl === 'bsdsock-gso' ? gsoSender(s, addr) : impl === 'bsdsock-sendmmsg' ? mmsgSender(s, addr) : sendtoSender(s, addr);
    r = timed(step);
    marker = () => s.sendto(Buffer.alloc(1), addr);
  }
  // The marker, repeated (every 2 ms, at most 500 times) until the receiver answers.
  let line = null;
  const answer = helper.nextLine(5000).then((l) => (line = l));
  for (let i = 0; i < 500 && line === null; i++) {
    marker();
    await sleep(2);
  }
  await answer;
  helper.kill();
  const { received } = JSON.parse(line);
  return {
    value: (r.sent / r.ms) * 1000,
    unit: 'dgram/s',
    cpu_ns_per_dgram: (r.cpuUs * 1000) / r.sent,
    sent: r.sent,
    received,
    loss_pct: r.total > 0 ? Math.max(0, (100 * (r.total - received)) / r.total) : 0,
    ms: Math.round(r.ms),
  };
}
