// bsdsock ping HOST: ICMP echo as iputils' ping prints it, over a raw
// socket when allowed (CAP_NET_RAW) and otherwise over a ping socket
// (SOCK_DGRAM + IPPROTO_ICMP, open to the groups in net.ipv4.ping_group_range).
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import * as socket from '../index';
import { EXIT_FAILURE, EXIT_OK, Failure, interruption, numberOption, parseCommand, step, UsageError, writeJson, writeOut, type Command } from './common';

// ICMP message types: RFC 792 (IPv4) and RFC 4443 (IPv6).
const ECHO_REQUEST = { v4: 8, v6: 128 };
const ECHO_REPLY = { v4: 0, v6: 129 };
const ICMP_HEADER = 8;
const IPV4_HEADER = 20;

/** The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A time in milliseconds as iputils prints a round trip: about three significant digits. */
function roundTrip(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** A number as C's %g prints it (six significant digits, no trailing zeros). */
function percent(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function pingGroupRange(): string {
  try {
    return readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().replace(/\s+/g, ' ');
  } catch {
    return 'unknown';
  }
}

/** Opens a raw ICMP socket if allowed, else a ping socket; says which. */
function openIcmp(family: number): [socket.Socket, boolean] {
  const proto = family === socket.AF_INET ? socket.IPPROTO_ICMP : socket.IPPROTO_ICMPV6;
  try {
    return [socket.socket(family, socket.SOCK_RAW, proto), true];
  } catch (e) {
    if (!(e instanceof socket.PermissionError)) throw e;
  }
  return [socket.socket(family, socket.SOCK_DGRAM, proto), false];
}

interface Reply {
  seq: number;
  bytes: number;
  ttl: number | null;
  time_ms: number;
}

export const ping: Command = {
  name: 'ping',
  summary: 'send ICMP echo requests to HOST (ping)',
  help: `Usage: bsdsock ping [options] HOST

Sends ICMP echo requests to HOST and prints each reply and, at the end
(or on Ctrl-C), the round-trip statistics, as iputils' ping does. Uses a
raw socket when allowed (root, CAP_NET_RAW), otherwise a ping socket
(SOCK_DGRAM, IPPROTO_ICMP), which Linux allows to the groups in
net.ipv4.ping_group_range. Addresses are never looked up in reverse.

Options:
  -c, --count COUNT      stop after COUNT requests (default: until Ctrl-C)
  -i, --interval SECONDS wait SECONDS between requests (default 1, at least 0.002)
  -W, --timeout SECONDS  wait at most SECONDS for a reply after the last
                         request (default 10)
  -s, --size BYTES       data bytes in each request (default 56)
  -4, -6                 use IPv4 or IPv6 only
      --json             one JSON document at the end: every reply and the
                         statistics
  -h, --help             this help

Exit status: 0 when a reply came, 1 when none did or on an error, 2 for a
usage mistake.`,

  async run(args) {
    const parsed = parseCommand(
      this,
      args,
      {
        count: { type: 'string', short: 'c' },
        interval: { type: 'string', short: 'i' },
        timeout: { type: 'string', short: 'W' },
        size: { type: 'string', short: 's' },
        ipv4: { type: 'boolean', short: '4' },
        ipv6: { type: 'boolean', short: '6' },
      },
      { names: ['HOST'] },
    );
    if (parsed === null) return EXIT_OK;
    const { values, positionals } = parsed;
    const count = numberOption(this, '--count', values.count as string | undefined, { min: 1, integer: true });
    const interval = numberOption(this, '--interval', values.interval as string | undefined, { min: 0.002 }) ?? 1;
    const timeout = numberOption(this, '--timeout', values.timeout as string | undefined, { min: 0.001 }) ?? 10;
    const size = numberOption(this, '--size', values.size as string | undefined, { min: 0, max: 65507, integer: true }) ?? 56;
    if (values.ipv4 && values.ipv6) throw new UsageError(this.name, '-4 and -6 exclude each other');
    const host = positionals[0];
    const json = values.json === true;
    const interrupt = interruption();
    try {
      const family = values.ipv4 ? socket.AF_INET : values.ipv6 ? socket.AF_INET6 : socket.AF_UNSPEC;
      const answers = await step(`ping ${host}`, () =>
        socket.getaddrinfoAsync(host, null, family, socket.SOCK_DGRAM, 0, 0, { signal: interrupt.signal }),
      );
      const [addrFamily, , , , sockaddr] = answers[0];
      const address = sockaddr[0];
      const v6 = addrFamily === socket.AF_INET6;
      const [sock, raw] = await step(`ping ${host}`, () => openIcmp(addrFamily), (e) =>
        e instanceof socket.PermissionError
          ? `raw sockets need root (CAP_NET_RAW), ping sockets a group in net.ipv4.ping_group_range (now ${pingGroupRange()})`
          : undefined,
      );
      try {
        return await pingWith(sock, raw, v6, { host, address, sockaddr, count, interval, timeout, size, json }, interrupt.signal);
      } finally {
        sock.close();
      }
    } finally {
      interrupt.dispose();
    }
  },
};

interface PingPlan {
  host: string;
  address: string;
  sockaddr: socket.Address;
  count: number | undefined;
  interval: number;
  timeout: number;
  size: number;
  json: boolean;
}

async function pingWith(sock: socket.Socket, raw: boolean, v6: boolean, plan: PingPlan, interrupted: AbortSignal): Promise<number> {
  const { host, address, size, json } = plan;
  const le = endianness() === 'LE';
  // Ask for the TTL (hop limit) of each reply as a control message; a raw
  // IPv4 socket reads it from the IP header instead.
  if (v6) sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1);
  else if (!raw) sock.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTTL, 1);
  const say = (line: string) => (json ? Promise.resolve() : writeOut(`${line}\n`));
  await say(v6 ? `PING ${host}(${address}) ${size} data bytes` : `PING ${host} (${address}) ${size}(${size + ICMP_HEADER + IPV4_HEADER}) bytes of data.`);

  const ident = raw ? process.pid & 0xffff : 0; // a ping socket's kernel sets its own
  const sentAt = new Map<number, number>();
  const replies: Reply[] = [];
  let transmitted = 0;
  let lastSend = 0;
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, interrupted]);
  let allAnswered: () => void = () => {};
  const answered = new Promise<void>((resolve) => (allAnswered = resolve));

  const receive = async () => {
    const ancbufsize = socket.CMSG_SPACE(4);
    for (;;) {
      const [data, ancdata] = await sock.recvmsgAsync(65536, ancbufsize, 0, { signal });
      const now = performance.now();
      let icmp = data;
      let ttl: number | null = null;
      if (raw && !v6) {
        const ihl = (data[0] & 0x0f) * 4;
        ttl = data[8];
        icmp = data.subarray(ihl);
      }
      for (const [level, type, value] of ancdata) {
        const isTtl = (level === socket.IPPROTO_IP && type === socket.IP_TTL) || (level === socket.IPPROTO_IPV6 && type === socket.IPV6_HOPLIMIT);
        if (isTtl && value.length >= 4) ttl = le ? value.readInt32LE(0) : value.readInt32BE(0);
      }
      if (icmp.length < ICMP_HEADER || icmp[0] !== (v6 ? ECHO_REPLY.v6 : ECHO_REPLY.v4)) continue;
      const id = icmp.readUInt16BE(4);
      const seq = icmp.readUInt16BE(6);
      if (raw && id !== ident) continue; // another ping's reply
      const start = sentAt.get(seq);
      if (start === undefined) continue; // not ours, or a duplicate
      sentAt.delete(seq);
      const reply = { seq, bytes: icmp.length, ttl, time_ms: now - start };
      replies.push(reply);
      await say(`${reply.bytes} bytes from ${address}: icmp_seq=${seq}${ttl !== null ? ` ttl=${ttl}` : ''} time=${roundTrip(reply.time_ms)} ms`);
      if (plan.count !== undefined && transmitted === plan.count && sentAt.size === 0) allAnswered();
    }
  };

  const send = async () => {
    for (let seq = 1; plan.count === undefined || seq <= plan.count; seq++) {
      if (seq > 1) await sleep(plan.interval * 1000, signal);
      const message = Buffer.alloc(ICMP_HEADER + size);
      message[0] = v6 ? ECHO_REQUEST.v6 : ECHO_REQUEST.v4;
      message.writeUInt16BE(ident, 4);
      message.writeUInt16BE(seq & 0xffff, 6);
      for (let i = 0; i < size; i++) message[ICMP_HEADER + i] = i & 0xff;
      // ICMPv6's checksum covers the addresses, which the kernel fills in
      // for every ICMPv6 socket; for ICMP over a ping socket too.
      if (raw && !v6) message.writeUInt16BE(internetChecksum(message), 2);
      sentAt.set(seq & 0xffff, performance.now());
      await sock.sendtoAsync(message, plan.sockaddr, { signal });
      transmitted++;
      lastSend = performance.now();
    }
  };

  const started = performance.now();
  let failure: { error: unknown } | undefined;
  const fail = (e: unknown) => {
    if (failure === undefined && !interrupted.aborted) failure = { error: e };
    stop.abort();
  };
  const receiving = receive().catch((e) => {
    if (!signal.aborted) fail(e);
  });
  try {
    await send();
    if (sentAt.size > 0) await Promise.race([answered, sleep(plan.timeout * 1000 - (performance.now() - lastSend), signal)]);
  } catch (e) {
    if (!stop.signal.aborted) fail(e);
  }
  const elapsed = performance.now() - started;
  stop.abort();
  await receiving;
  if (failure !== undefined) throw new Failure(`ping ${host}`, failure.error);

  const received = replies.length;
  const loss = transmitted === 0 ? 0 : ((transmitted - received) * 100) / transmitted;
  const times = replies.map((r) => r.time_ms);
  const rtt = received === 0 ? null : rttStatistics(times);
  if (json) {
    await writeJson({
      host,
      address,
      socket: raw ? 'raw' : 'ping',
      data_bytes: size,
      replies,
      transmitted,
      received,
      loss_percent: loss,
      time_ms: Math.round(elapsed),
      rtt,
    });
  } else {
    await writeOut(`\n--- ${host} ping statistics ---\n`);
    await writeOut(`${transmitted} packets transmitted, ${received} received, ${percent(loss)}% packet loss, time ${Math.round(elapsed)}ms\n`);
    if (rtt) await writeOut(`rtt min/avg/max/mdev = ${[rtt.min, rtt.avg, rtt.max, rtt.mdev].map((t) => t.toFixed(3)).join('/')} ms\n`);
  }
  return received > 0 ? EXIT_OK : EXIT_FAILURE;
}

/** min, average, max and mean deviation (the standard deviation, as iputils computes its mdev). */
function rttStatistics(times: number[]): { min: number; avg: number; max: number; mdev: number } {
  const avg = times.reduce((a, b) => a + b, 0) / times.length;
  const square = times.reduce((a, b) => a + b * b, 0) / times.length;
  return { min: Math.min(...times), avg, max: Math.max(...times), mdev: Math.sqrt(Math.max(square - avg * avg, 0)) };
}

/** setTimeout as a Promise that an abort rejects; a negative delay resolves at once. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(ms, 0));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
