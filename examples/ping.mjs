// ping, with ICMP echo requests over loopback. As root it opens a raw socket
// (SOCK_RAW) and sends the ICMP message it builds, identifier and checksum
// included. Without CAP_NET_RAW it falls back to a ping socket (SOCK_DGRAM,
// IPPROTO_ICMP): Linux allows these when net.ipv4.ping_group_range includes
// your group, and the kernel sets the identifier and checksum itself.
// Each reply is waited for with the socket's timeout.
// Run: sudo node examples/ping.mjs [host]   (default: 127.0.0.1 and ::1)
import { setTimeout as sleep } from 'node:timers/promises';
import * as socket from 'bsdsock';

const COUNT = 3;
const TIMEOUT = 1; // seconds to wait for each reply
const INTERVAL = 200; // ms between requests (ping(8) waits a whole second)
const PAYLOAD = Buffer.alloc(56, 'bsdsock '); // 8-byte ICMP header + 56 = 64 bytes, as ping(8)

// ICMP message types (RFC 792 for IPv4, RFC 4443 for IPv6).
const ECHO = { [socket.AF_INET]: [8, 0], [socket.AF_INET6]: [128, 129] }; // [request, reply]

/** The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum. */
function checksum(b) {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += b[b.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A raw ICMP socket if we may, else a ping socket. Returns [sock, raw]. */
function openIcmp(family) {
  const proto = family === socket.AF_INET ? socket.IPPROTO_ICMP : socket.IPPROTO_ICMPV6;
  try {
    return [socket.socket(family, socket.SOCK_RAW, proto), true];
  } catch (e) {
    if (!(e instanceof socket.PermissionError)) throw e; // EPERM: no CAP_NET_RAW
  }
  // Raises PermissionError (EACCES) too when ping_group_range leaves us out.
  return [socket.socket(family, socket.SOCK_DGRAM, proto), false];
}

/** Whether ::1 exists here (IPv6 can be disabled): binding to it tells. */
function hasLoopback6() {
  const s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM);
  try {
    s.bind(['::1', 0]);
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}

async function ping(host) {
  // SOCK_DGRAM only so each address is listed once; the ICMP socket comes next.
  const [family, , , , address] = socket.getaddrinfo(host, 0, socket.AF_UNSPEC, socket.SOCK_DGRAM)[0];
  const [s, raw] = openIcmp(family);
  const [request, reply] = ECHO[family];
  console.log(`PING ${address[0]} with a ${raw ? 'raw socket (SOCK_RAW)' : 'ping socket (SOCK_DGRAM)'}`);

  const ident = process.pid & 0xffff; // tells our replies from other pings' (ping sockets pick their own)
  let received = 0;
  for (let seq = 1; seq <= COUNT; seq++) {
    if (seq > 1) await sleep(INTERVAL);
    // type, code, checksum, identifier, sequence number, then the data.
    const message = Buffer.concat([Buffer.alloc(8), PAYLOAD]);
    message[0] = request;
    message.writeUInt16BE(ident, 4);
    message.writeUInt16BE(seq, 6);
    // ICMPv6's checksum covers a pseudo-header with the source address,
    // which only the kernel knows: Linux fills it in for every ICMPv6 socket.
    if (family === socket.AF_INET) message.writeUInt16BE(checksum(message), 2);

    const start = performance.now();
    const deadline = start + TIMEOUT * 1000;
    s.sendto(message, address);
    // A ping socket's identifier is its "port", chosen by the kernel at the first send.
    const id = raw ? ident : s.getsockname()[1];
    try {
      for (;;) {
        // The socket sees every ICMP message for this host (a raw one even
        // sees our own request on loopback): wait what is left of TIMEOUT.
        s.settimeout(Math.max(deadline - performance.now(), 1) / 1000);
        const [data, from] = s.recvfrom(65536);
        const elapsed = performance.now() - start;
        // A raw IPv4 socket reads whole IP packets: skip the header (IHL words).
        const icmp = raw && family === socket.AF_INET ? data.subarray((data[0] & 0x0f) * 4) : data;
        if (icmp[0] !== reply || icmp.readUInt16BE(4) !== id || icmp.readUInt16BE(6) !== seq) continue;
        received++;
        console.log(`${icmp.length} bytes from ${from[0]}: icmp_seq=${seq} time=${elapsed.toFixed(2)} ms`);
        break;
      }
    } catch (e) {
      if (!(e instanceof socket.TimeoutError)) throw e;
      console.log(`no reply from ${address[0]}: icmp_seq=${seq} (timed out after ${TIMEOUT} s)`);
    }
  }
  s.close();
  console.log(`--- ${address[0]}: ${COUNT} packets transmitted, ${received} received`);
  return received;
}

const hosts = process.argv[2] ? [process.argv[2]] : hasLoopback6() ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
try {
  for (const host of hosts) if ((await ping(host)) === 0) process.exitCode = 1;
} catch (e) {
  if (!(e instanceof socket.PermissionError)) throw e;
  console.error(
    `ping: ${e.message}: raw sockets need root (CAP_NET_RAW), ` +
      'and ping sockets a group inside net.ipv4.ping_group_range',
  );
  process.exitCode = 2;
}
