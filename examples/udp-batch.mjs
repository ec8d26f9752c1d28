// Batch datagram I/O (beyond Python): sendmmsg/recvmmsg move many UDP
// datagrams per system call and per trip through the event loop.
// A receiver takes whatever is queued with recvmmsgAsync while a sender
// pushes batches of 64 with sendmmsgAsync, both in this one thread.
// Run: node examples/udp-batch.mjs [count]
import * as socket from 'bsdsock';

const COUNT = Number(process.argv[2] ?? 10000);
const BATCH = 64;

const receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
receiver.bind(['127.0.0.1', 0]);
// A bigger receive buffer, so that a burst is not dropped (loss is legal for UDP).
receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20);
receiver.settimeout(2); // the receive loop ends if datagrams stop coming
const address = receiver.getsockname();

const sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);

async function send() {
  let sent = 0;
  while (sent < COUNT) {
    const batch = [];
    for (let i = 0; i < BATCH && sent + i < COUNT; i++) {
      const msg = Buffer.alloc(8);
      msg.writeUInt32BE(sent + i, 0);
      batch.push([msg, address]);
    }
    // The kernel may take fewer than asked: send the rest next time round.
    sent += await sender.sendmmsgAsync(batch);
    // Let the receiver run, as two programs would.
    await new Promise((r) => setImmediate(r));
  }
  return sent;
}

async function receive() {
  let received = 0;
  let calls = 0;
  let inOrder = true;
  let last = -1;
  try {
    while (received < COUNT) {
      const batch = await receiver.recvmmsgAsync(256, 64);
      calls++;
      for (const [data, from] of batch) {
        const n = data.readUInt32BE(0);
        if (n <= last) inOrder = false;
        last = n;
        received++;
        if (from[0] !== '127.0.0.1') throw new Error(`datagram from ${from}`);
      }
    }
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
  }
  return { received, calls, inOrder };
}

const [sent, { received, calls, inOrder }] = await Promise.all([send(), receive()]);
console.log(`sent ${sent} datagrams, received ${received} in ${calls} recvmmsg calls (${(received / calls).toFixed(1)} per call)`);
console.log(`in order: ${inOrder}`);
sender.close();
receiver.close();
