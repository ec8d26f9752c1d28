// bsdsock ping, resolve, ifaces and capture, run as subprocesses against
// loopback and network namespaces the tests create (and remove), compared
// with iputils' ping, getent and ip where they are installed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { asNobody, has, hasLoopback6, isRoot, jsonLines, linux, namespace, namespacesLeftBehind, run, start, whyNoNamespace } from './fixtures/cli.mjs';
import { nodeOnly } from './fixtures/runtime.mjs';

const noIPv6 = !hasLoopback6() && 'no ::1 here';
const noNamespace = whyNoNamespace();
const needRoot = !linux ? 'Linux only' : !isRoot && 'needs root (CAP_NET_RAW)';
const noSetpriv = noNamespace || (!has('setpriv', ['--version']) && 'needs setpriv (util-linux)');
const noPing = !has('ping', ['-V']) && 'iputils ping is not installed';
const noGetent = !has('getent', ['ahosts', 'localhost']) && 'getent is not installed';

/** iputils-style output with the times taken out, to compare with iputils' ping. */
const timeless = (text) =>
  text
    .replace(/time=[\d.]+ ms/g, 'time=T ms')
    .replace(/time \d+ms/g, 'time Tms')
    .replace(/= [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/g, '= T/T/T/T ms');

describe('bsdsock ping', () => {
  for (const [host, skip] of [['127.0.0.1', needRoot], ['::1', needRoot || noIPv6]]) {
    test(`${host} over a raw socket: one line per reply, iputils' statistics`, { skip }, async () => {
      const r = await run(['ping', '-c', '3', '-i', '0.2', host]);
      assert.equal(r.status, 0, r.stderr);
      const v4 = host === '127.0.0.1';
      const expected = [
        v4 ? 'PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.' : 'PING ::1(::1) 56 data bytes',
        ...[1, 2, 3].map((seq) => `64 bytes from ${host}: icmp_seq=${seq} ttl=64 time=T ms`),
        '',
        `--- ${host} ping statistics ---`,
        '3 packets transmitted, 3 received, 0% packet loss, time Tms',
        'rtt min/avg/max/mdev = T/T/T/T ms',
        '',
      ];
      assert.deepEqual(timeless(r.stdout.toString()).split('\n'), expected);
      const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(r.stdout.toString()).slice(1).map(Number);
      assert.ok(rtt[0] <= rtt[1] && rtt[1] <= rtt[2], rtt.join('/'));

      const json = JSON.parse((await run(['ping', '--json', '-c', '2', '-i', '0.2', '-s', '100', host])).stdout);
      assert.deepEqual(
        { ...json, replies: json.replies.map(({ seq, bytes, ttl }) => ({ seq, bytes, ttl })), time_ms: 0, rtt: Object.keys(json.rtt) },
        {
          host, address: host, socket: 'raw', data_bytes: 100, transmitted: 2, received: 2, loss_percent: 0, time_ms: 0,
          replies: [{ seq: 1, bytes: 108, ttl: 64 }, { seq: 2, bytes: 108, ttl: 64 }],
          rtt: ['min', 'avg', 'max', 'mdev'],
        },
      );
    });

    test(`${host}: the same lines as iputils' ping, times aside`, { skip: skip || noPing }, async () => {
      const ours = await run(['ping', '-c', '2', '-i', '0.2', host]);
      const theirs = execFileSync('ping', ['-c', '2', '-i', '0.2', host], { encoding: 'utf8', timeout: 10000 });
      assert.equal(timeless(ours.stdout.toString()), timeless(theirs));
    });
  }

  test('without root: a ping socket when ping_group_range allows, a one-line PermissionError otherwise (namespace)', { skip: noSetpriv }, async (t) => {
    const ns = namespace(t, 'ping');
    assert.equal(ns.sh('cat /proc/sys/net/ipv4/ping_group_range').trim().split(/\s+/).join(' '), '1 0');
    const refused = await run(['ping', '-c', '1', '127.0.0.1'], { prefix: [...ns.prefix, ...asNobody] });
    assert.deepEqual(
      [refused.status, refused.stderr],
      [1, 'bsdsock: ping 127.0.0.1: PermissionError [EACCES]: raw sockets need root (CAP_NET_RAW), ping sockets a group in net.ipv4.ping_group_range (now 1 0)\n'],
    );
    ns.sh('echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range');
    for (const host of noIPv6 ? ['127.0.0.1'] : ['127.0.0.1', '::1']) {
      const r = await run(['ping', '--json', '-c', '2', '-i', '0.2', host], { prefix: [...ns.prefix, ...asNobody] });
      assert.equal(r.status, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assert.deepEqual([json.socket, json.received, json.replies.map((x) => [x.seq, x.bytes, x.ttl])], ['ping', 2, [[1, 64, 64], [2, 64, 64]]]);
    }
  });

  test('no replies: 100% packet loss, no rtt line, status 1 (a namespace that ignores echo requests)', { skip: noNamespace }, async (t) => {
    const ns = namespace(t, 'loss');
    ns.sh('echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all');
    const r = await run(['ping', '-c', '2', '-i', '0.2', '-W', '0.3', '127.0.0.1'], { prefix: ns.prefix });
    assert.equal(r.status, 1);
    assert.deepEqual(timeless(r.stdout.toString()).split('\n').slice(1), [
      '',
      '--- 127.0.0.1 ping statistics ---',
      '2 packets transmitted, 0 received, 100% packet loss, time Tms',
      '',
    ]);
  });

  test('Ctrl-C (SIGINT) ends it with the statistics so far', { skip: needRoot || nodeOnly('signalExit', ['deno']) }, async () => {
    const p = start(['ping', '-i', '0.2', '127.0.0.1']);
    await p.stdoutMatch(/icmp_seq=2 /);
    p.child.kill('SIGINT');
    const r = await p.done;
    assert.equal(r.status, 0, r.stderr);
    const [, sent, got] = /\n--- 127\.0\.0\.1 ping statistics ---\n(\d+) packets transmitted, (\d+) received, /.exec(r.stdout.toString());
    assert.ok(Number(sent) >= 2 && Number(got) >= 2, `${sent} sent, ${got} received`);
    assert.match(r.stdout.toString(), /\nrtt min\/avg\/max\/mdev = /);
  });
});

describe('bsdsock resolve', () => {
  test('numeric hosts: getaddrinfo answers as a table and as JSON', async () => {
    const table = await run(['resolve', '127.0.0.1', '80']);
    assert.equal(table.status, 0, table.stderr);
    assert.equal(
      table.stdout.toString(),
      [
        'FAMILY   TYPE         PROTO        ADDRESS    PORT  CANONNAME',
        'AF_INET  SOCK_STREAM  IPPROTO_TCP  127.0.0.1  80    127.0.0.1',
        'AF_INET  SOCK_DGRAM   IPPROTO_UDP  127.0.0.1  80',
        'AF_INET  SOCK_RAW     0            127.0.0.1  80',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await run(['resolve', '--json', '-t', 'stream', '-F', 'numerichost', '::1', '8080'])).stdout);
    assert.deepEqual(json, [{ family: 'AF_INET6', type: 'SOCK_STREAM', proto: 6, canonname: '', address: ['::1', 8080, 0, 0] }]);
    const passive = JSON.parse((await run(['resolve', '--json', '-f', 'inet', '-t', 'dgram', '-F', 'passive', '', '53'])).stdout);
    assert.deepEqual(passive, [{ family: 'AF_INET', type: 'SOCK_DGRAM', proto: 17, canonname: '', address: ['0.0.0.0', 53] }]);
  });

  test("localhost: the same addresses and types as getent ahosts", { skip: noGetent }, async () => {
    // getent ahosts asks with AI_CANONNAME | AI_ADDRCONFIG | AI_V4MAPPED.
    const ours = JSON.parse((await run(['resolve', '--json', '-F', 'canonname,addrconfig,v4mapped', 'localhost'])).stdout);
    const theirs = execFileSync('getent', ['ahosts', 'localhost'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/));
    assert.deepEqual(
      ours.map((a) => [a.address[0], a.type.replace('SOCK_', '')]),
      theirs.map(([address, type]) => [address, type]),
    );
    assert.equal(ours[0].canonname, theirs[0][2]);
  });
});

describe('bsdsock ifaces', () => {
  test('lo: index 1, its flags, MTU and addresses', { skip: !linux && 'Linux only' }, async () => {
    const r = await run(['ifaces', 'lo']);
    assert.equal(r.status, 0, r.stderr);
    const [head, link, ...addresses] = r.stdout.toString().trim().split('\n');
    assert.match(head, /^1: lo: <UP,LOOPBACK,RUNNING,LOWER_UP> mtu \d+ state UNKNOWN$/);
    assert.equal(link, '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00');
    assert.ok(addresses.includes('    inet 127.0.0.1/8 scope host lo'), addresses.join('\n'));
    const missing = await run(['ifaces', 'nosuch0']);
    assert.deepEqual([missing.status, missing.stderr], [1, 'bsdsock: ifaces nosuch0: OSError: no interface with this name\n']);
  });

  test('a namespace with a veth pair: the same as ip -j link / ip -j addr', { skip: noNamespace }, async (t) => {
    const ns = namespace(t, 'ifaces');
    ns.sh(
      'ip link add v0 type veth peer name v1 && ip link set v0 address 02:00:00:00:16:01 mtu 1400 up && ' +
        'ip addr add 10.16.0.1/24 brd + dev v0 && ip addr add 10.16.1.1/32 peer 10.16.1.2 dev v0 label v0:ptp && ' +
        'ip -6 addr add fd16::1/64 dev v0 nodad',
    );
    const ours = JSON.parse((await run(['ifaces', '--json'], { prefix: ns.prefix })).stdout);
    const theirs = JSON.parse(ns.sh('ip -j addr'));
    assert.deepEqual(ours.map((i) => i.ifname), theirs.map((i) => i.ifname));
    assert.deepEqual(ours.map((i) => i.ifname).sort(), ['lo', 'v0', 'v1']);
    for (const [i, mine] of ours.entries()) {
      const ip = theirs[i];
      const pick = (o) => ({ ifindex: o.ifindex, mtu: o.mtu, operstate: o.operstate, link_type: o.link_type, address: o.address, broadcast: o.broadcast });
      assert.deepEqual(pick(mine), pick(ip), mine.ifname);
      // ip leaves RUNNING out, and adds two words of its own: NO-CARRIER for
      // an UP link that is not running, M-DOWN when the link's peer is down.
      const flags = (list) => list.filter((f) => !['RUNNING', 'NO-CARRIER', 'M-DOWN'].includes(f)).sort();
      assert.deepEqual(flags(mine.flags), flags(ip.flags), mine.ifname);
      const addr = (a) => ({ family: a.family, local: a.local, address: a.address, prefixlen: a.prefixlen, broadcast: a.broadcast, scope: a.scope, label: a.label });
      assert.deepEqual(mine.addr_info.map(addr), ip.addr_info.map(addr), mine.ifname);
    }
    const v0 = ours.find((i) => i.ifname === 'v0');
    assert.deepEqual(v0.addr_info.slice(0, 3), [
      { family: 'inet', local: '10.16.0.1', prefixlen: 24, broadcast: '10.16.0.255', scope: 'global', label: 'v0' },
      { family: 'inet', local: '10.16.1.1', address: '10.16.1.2', prefixlen: 32, scope: 'global', label: 'v0:ptp' },
      { family: 'inet6', local: 'fd16::1', prefixlen: 64, scope: 'global' },
    ]);
    assert.equal(v0.mtu, 1400);
    assert.equal(v0.address, '02:00:00:00:16:01');
  });
});

describe('bsdsock capture', () => {
  test('without root it says so, on one line', { skip: noSetpriv }, async () => {
    const r = await run(['capture', 'lo'], { prefix: asNobody });
    assert.deepEqual([r.status, r.stderr, r.stdout.length], [1, 'bsdsock: capture lo: PermissionError [EPERM]: capturing needs root (CAP_NET_RAW)\n', 0]);
  });

  test('an interface that does not exist', { skip: needRoot }, async () => {
    const r = await run(['capture', 'nosuch0', '-t', '1']);
    assert.deepEqual([r.status, r.stderr], [1, 'bsdsock: capture nosuch0: OSError [ENODEV]\n']);
  });

  /** Starts a capture in `ns` and resolves once it is capturing. */
  async function capturing(ns, args) {
    const cap = start(['capture', 'lo', ...args], { prefix: ns.prefix });
    await cap.stderrMatch(/capturing on /);
    return cap;
  }
  const stamp = String.raw`\d\d:\d\d:\d\d\.\d{6}`;

  test('UDP, TCP and ICMP over lo in a namespace: decoded lines and fields, filtered by protocol and port', { skip: noNamespace }, async (t) => {
    const ns = namespace(t, 'capture');
    // UDP to a closed port: the datagram, then ICMP port unreachable.
    const udp = await capturing(ns, ['--json', '-c', '1', '-t', '10', '-p', 'udp', '-P', '7000']);
    await run(['connect', 'udp:127.0.0.1:7000', '-t', '0.2'], { prefix: ns.prefix, input: 'hello\n' });
    const u = await udp.done;
    assert.equal(u.status, 0, u.stderr);
    assert.equal(u.stderr, 'bsdsock: capturing on lo\nbsdsock: 1 packet captured, 0 dropped by the kernel\n');
    const [datagram] = jsonLines(u.stdout);
    assert.match(datagram.line, new RegExp(`^${stamp} lo In  IP 127\\.0\\.0\\.1\\.${datagram.sport} > 127\\.0\\.0\\.1\\.7000: UDP, length 6$`));
    assert.deepEqual(
      { ...datagram, time: 0, line: 0, sport: 0 },
      {
        time: 0, line: 0, sport: 0, ifname: 'lo', direction: 'In', frame_length: 14 + 20 + 8 + 6, network: 'IPv4', transport: 'UDP',
        src: '127.0.0.1', dst: '127.0.0.1', dport: 7000, length: 6, ttl: 64,
        ethernet: { src: '00:00:00:00:00:00', dst: '00:00:00:00:00:00', ethertype: 0x0800 },
      },
    );
    assert.ok(Math.abs(datagram.time - Date.now() / 1000) < 60);

    // A TCP handshake and data, with the Ethernet header (-e).
    // Six packets: the handshake, the client's data, and whatever else comes
    // first (the server's FIN may overtake the data: its stdin is empty).
    const tcp = await capturing(ns, ['-e', '-c', '6', '-t', '10', '-p', 'tcp', '-P', '7001']);
    // Connect once the listener says it listens: a connection refused while
    // it starts would put a SYN and a RST among the six packets.
    const server = start(['listen', '--json', '127.0.0.1:7001'], { prefix: ns.prefix, input: '' });
    await server.event('listening');
    const c = await run(['connect', '127.0.0.1:7001'], { prefix: ns.prefix, input: 'hey\n' });
    assert.equal(c.status, 0, c.stderr);
    await server.done;
    const lines = (await tcp.done).stdout.toString().trim().split('\n');
    const link = '00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype IPv4 \\(0x0800\\), length \\d+: ';
    const parsed = lines.map((l) => new RegExp(`^${stamp} lo In  ${link}IP (.+): Flags \\[(.+?)\\](.*)$`).exec(l));
    assert.ok(parsed.length === 6 && parsed.every(Boolean), lines.join('\n'));
    const [syn, synAck, ack] = parsed;
    const data = parsed.slice(3).find((m) => / length 4$/.test(m[3]));
    assert.ok(data, lines.join('\n'));
    assert.equal(syn[2], 'S');
    assert.equal(synAck[2], 'S.');
    assert.equal(ack[2], '.');
    // The client's FIN may ride on its data segment.
    assert.match(data[2], /^F?P\.$/);
    const clientSeq = Number(/seq (\d+)/.exec(syn[3])[1]);
    assert.match(synAck[3], new RegExp(`, ack ${clientSeq + 1}, win \\d+, length 0$`));
    assert.match(data[3], new RegExp(`^, seq ${clientSeq + 1}:${clientSeq + 5}, ack \\d+, win \\d+, length 4$`));

    // ICMP and ICMPv6 echo.
    for (const [host, proto, name] of noIPv6 ? [['127.0.0.1', 'icmp', 'IP']] : [['127.0.0.1', 'icmp', 'IP'], ['::1', 'icmp6', 'IP6']]) {
      const icmp = await capturing(ns, ['-c', '2', '-t', '10', '-p', proto]);
      await run(['ping', '-c', '1', host], { prefix: ns.prefix });
      const [request, reply] = (await icmp.done).stdout.toString().trim().split('\n');
      const kind = proto === 'icmp' ? 'ICMP' : 'ICMP6,';
      assert.match(request, new RegExp(`^${stamp} lo In  ${name} ${host.replace(/\./g, '\\.')} > ${host.replace(/\./g, '\\.')}: ${kind} echo request, id \\d+, seq 1, length 64$`));
      assert.match(reply, new RegExp(`: ${kind} echo reply, id \\d+, seq 1, length 64$`));
    }
  });

  test('Ethernet and ARP on a veth pair between two namespaces (-e): who-has, is-at, then the echo', { skip: noNamespace }, async (t) => {
    const a = namespace(t, 'arp-a');
    const b = namespace(t, 'arp-b');
    a.sh(`ip link add v0 address 02:00:00:00:17:01 type veth peer name v1 address 02:00:00:00:17:02 netns ${b.name}`);
    a.sh('ip addr add 10.17.0.1/24 dev v0 && ip link set v0 up');
    b.sh('ip addr add 10.17.0.2/24 dev v1 && ip link set v1 up');
    const eth = start(['capture', 'v0', '-e', '-c', '4', '-t', '10', '-p', 'arp,icmp'], { prefix: a.prefix });
    await eth.stderrMatch(/capturing on /);
    const ping = await run(['ping', '-c', '1', '-W', '5', '10.17.0.2'], { prefix: a.prefix });
    assert.equal(ping.status, 0, ping.stdout.toString() + ping.stderr);
    const r = await eth.done;
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.toString().trim().split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{6} /, ''));
    assert.deepEqual(lines.map((l) => l.replace(/id \d+/, 'id N')), [
      'v0 Out 02:00:00:00:17:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: ARP, Request who-has 10.17.0.2 tell 10.17.0.1, length 28',
      'v0 In  02:00:00:00:17:02 > 02:00:00:00:17:01, ethertype ARP (0x0806), length 42: ARP, Reply 10.17.0.2 is-at 02:00:00:00:17:02, length 28',
      'v0 Out 02:00:00:00:17:01 > 02:00:00:00:17:02, ethertype IPv4 (0x0800), length 98: IP 10.17.0.1 > 10.17.0.2: ICMP echo request, id N, seq 1, length 64',
      'v0 In  02:00:00:00:17:02 > 02:00:00:00:17:01, ethertype IPv4 (0x0800), length 98: IP 10.17.0.2 > 10.17.0.1: ICMP echo reply, id N, seq 1, length 64',
    ]);
  });

  test('--timeout ends a capture that saw nothing, with status 0', { skip: noNamespace }, async (t) => {
    const ns = namespace(t, 'quiet');
    const r = await run(['capture', 'lo', '-t', '0.3'], { prefix: ns.prefix });
    assert.deepEqual([r.status, r.stdout.length, r.stderr], [0, 0, 'bsdsock: capturing on lo\nbsdsock: 0 packets captured, 0 dropped by the kernel\n']);
  });
});

test('every network namespace these tests made is gone', { skip: whyNoNamespace() }, () => {
  assert.deepEqual(namespacesLeftBehind(), []);
});
