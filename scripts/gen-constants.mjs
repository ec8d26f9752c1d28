#!/usr/bin/env node
// Writes the constants table of the addon from the system headers: every
// macro with one of Python's socket-module prefixes that the headers
// define, as `BSD_CONST(NAME)` lines. Run by binding.gyp at build time, so
// the values always come from the headers of the machine that builds.
// The few names CPython defines itself when the headers lack them
// (ALG_OP_SIGN...) are defined the same way in HEADERS, under `#ifndef`
// with the kernel's ABI value, so the header's own value wins when it has one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: gen-constants.mjs OUTPUT.h');
  process.exit(2);
}

// Headers in the order a socket program includes them; Linux-only ones are
// guarded so the same list works on macOS.
const HEADERS = `
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <net/if.h>
#include <errno.h>
/* As CPython (Modules/socketmodule.c): the kernel keeps the UDP-Lite options in a private header (net/udplite.h), not in uapi or libc. */
#ifdef IPPROTO_UDPLITE
# ifndef UDPLITE_SEND_CSCOV
#  define UDPLITE_SEND_CSCOV 10
# endif
# ifndef UDPLITE_RECV_CSCOV
#  define UDPLITE_RECV_CSCOV 11
# endif
#endif
#if defined(__has_include)
# if __has_include(<netpacket/packet.h>)
#  include <netpacket/packet.h>
# endif
# if __has_include(<linux/netlink.h>)
#  include <linux/netlink.h>
# endif
# if __has_include(<linux/if_ether.h>)
#  include <linux/if_ether.h>
# endif
# if __has_include(<net/ethernet.h>)
#  include <net/ethernet.h>
# endif
# if __has_include(<linux/vm_sockets.h>)
#  include <linux/vm_sockets.h>
# endif
# if __has_include(<linux/if_alg.h>)
#  include <linux/if_alg.h>
/* As CPython (Modules/socketmodule.c): AF_ALG's akcipher interface was proposed but never merged, so no header has these (6 is now also ALG_SET_DRBG_ENTROPY). */
#  ifndef ALG_OP_SIGN
#   define ALG_OP_SIGN 2
#  endif
#  ifndef ALG_OP_VERIFY
#   define ALG_OP_VERIFY 3
#  endif
#  ifndef ALG_SET_PUBKEY
#   define ALG_SET_PUBKEY 6
#  endif
# endif
# if __has_include(<linux/can.h>)
#  include <linux/can.h>
#  include <linux/can/raw.h>
#  if __has_include(<linux/can/bcm.h>)
#   include <linux/can/bcm.h>
#  endif
#  if __has_include(<linux/can/j1939.h>)
#   include <linux/can/j1939.h>
#  endif
# endif
# if __has_include(<linux/tipc.h>)
#  include <linux/tipc.h>
# endif
# if defined(__linux__) && __has_include(<bluetooth/bluetooth.h>)
#  include <bluetooth/bluetooth.h>
#  include <bluetooth/hci.h>
#  include <bluetooth/l2cap.h>
#  include <bluetooth/rfcomm.h>
#  include <bluetooth/sco.h>
# endif
#endif
`;

const PREFIXES = [
  'AF', 'PF', 'SOCK', 'SO', 'SOL', 'SCM', 'MSG', 'IPPROTO', 'IPPORT', 'INADDR',
  'IP', 'IPV6', 'TCP', 'SHUT', 'EAI', 'AI', 'NI',
  // families and options of Linux that Python's module also names
  'NETLINK', 'PACKET', 'VMADDR', 'ALG', 'CAN', 'TIPC', 'J1939', 'UDPLITE', 'UDP',
  'BTPROTO',
];
const EXACT = new Set([
  'SOMAXCONN', 'ETH_P_ALL', 'IOCTL_VM_SOCKETS_GET_LOCAL_CID', 'VM_SOCKETS_INVALID_VERSION',
  'SIOCGIFNAME', 'SIOCGIFINDEX', 'EAGAIN', 'EWOULDBLOCK', 'EBADF',
  // BlueZ's HCI socket options that Python exports (not all of HCI_*)
  'HCI_FILTER', 'HCI_TIME_STAMP', 'HCI_DATA_DIR',
  // the EtherTypes Python 3.12+ exports for AF_PACKET (net/ethernet.h)
  'ETHERTYPE_ARP', 'ETHERTYPE_IP', 'ETHERTYPE_IPV6', 'ETHERTYPE_VLAN',
]);
// Names Python gives to header names it exports under another name:
// linux/can/bcm.h's opcodes (an enum) and flags (macros) are CAN_BCM_*.
// Each is defined, in the generated header, as the header's name; one
// whose header name is not declared is dropped like any other.
const RENAMES = new Map(
  [
    'TX_SETUP', 'TX_DELETE', 'TX_READ', 'TX_SEND', 'RX_SETUP', 'RX_DELETE', 'RX_READ',
    'TX_STATUS', 'TX_EXPIRED', 'RX_STATUS', 'RX_TIMEOUT', 'RX_CHANGED',
    'SETTIMER', 'STARTTIMER', 'TX_COUNTEVT', 'TX_ANNOUNCE', 'TX_CP_CAN_ID', 'RX_FILTER_ID',
    'RX_CHECK_DLC', 'RX_NO_AUTOTIMER', 'RX_ANNOUNCE_RESUME', 'TX_RESET_MULTI_IDX',
    'RX_RTR_FRAME', 'CAN_FD_FRAME',
  ].map((n) => [`CAN_BCM_${n}`, n]),
);
const renameDefines = (list) =>
  list
    .filter((n) => RENAMES.has(n))
    .map((n) => `#ifndef ${n}\n#define ${n} (${RENAMES.get(n)})\n#endif`)
    .join('\n');
// The header names behind the renames are not exported under their own name.
const RENAMED = new Set(RENAMES.values());
const NAME = new RegExp(`^(?:${PREFIXES.join("|")})_[A-Z0-9_]*[A-Za-z0-9_]*$`);
// Bodies that are not integer constant expressions, or deprecated names
// whose use makes the compiler warn.
const NOT_A_NUMBER = /["{]|__glibc_macro_warning|__attribute__|\bstruct\b|\bsizeof\s*\(\s*struct/;

const cc = process.env.CC || 'cc';
const dir = mkdtempSync(join(tmpdir(), 'bsdsock-constants-'));
const names = new Set();
try {
  const src = join(dir, 'h.c');
  writeFileSync(src, HEADERS);
  const text = execFileSync(cc, ['-E', '-dM', '-D_GNU_SOURCE', src], { encoding: 'utf8' });
  for (const line of text.split('\n')) {
    const m = /^#define ([A-Za-z_][A-Za-z0-9_]*)(\(?)\s*(.*)$/.exec(line);
    if (!m || m[2] === '(') continue; // function-like macros are not constants
    const [, name, , body] = m;
    if (!(NAME.test(name) || EXACT.has(name)) || RENAMES.has(name) || RENAMED.has(name)) continue;
    if (body.trim() === '' || NOT_A_NUMBER.test(body)) continue;
    names.add(name);
  }
  // Some names are enumerators only (glibc's IPPORT_USERRESERVED, the
  // kernel's CAN_RAW_FILTER): read them from the preprocessed enums.
  const expanded = execFileSync(cc, ['-E', '-D_GNU_SOURCE', src], { encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const block of expanded.matchAll(/\benum\b[^{;]*\{([^}]*)\}/g)) {
    for (const item of block[1].split(',')) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(item);
      if (m && (NAME.test(m[1]) || EXACT.has(m[1])) && !RENAMES.has(m[1]) && !RENAMED.has(m[1])) names.add(m[1]);
    }
  }
  for (const name of RENAMES.keys()) names.add(name);
  // Some headers define a name in terms of one they no longer declare:
  // compile every candidate and drop the ones the compiler rejects.
  for (let round = 0; round < 10; round++) {
    const list = [...names];
    const header = HEADERS.split('\n').length;
    // A renamed constant is checked under its header name, so that an
    // error points at its own line.
    const check = (n) => RENAMES.get(n) ?? n;
    writeFileSync(src, HEADERS + list.map((n, i) => `long long bsd_v${i} = (long long)(${check(n)});`).join('\n') + '\n');
    let stderr = '';
    try {
      execFileSync(cc, ['-fsyntax-only', '-D_GNU_SOURCE', src], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      break;
    } catch (e) {
      stderr = String(e.stderr ?? '');
    }
    let dropped = 0;
    for (const m of stderr.matchAll(/h\.c:(\d+):\d+: error/g)) {
      const name = list[Number(m[1]) - header];
      if (name !== undefined && names.delete(name)) dropped++;
    }
    if (dropped === 0) throw new Error(`constants do not compile:\n${stderr}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const lines = [
  '/* Generated at build time by scripts/gen-constants.mjs from the system headers. */',
  '#ifdef BSD_CONST_HEADERS',
  HEADERS.trim(),
  renameDefines([...names].sort()),
  '#else',
  ...[...names].sort().map((n) => `BSD_CONST(${n})`),
  '#endif',
  '',
];
writeFileSync(out, lines.join('\n'));

// bsdsock/select's table (a second output, when asked for): poll(2)'s
// POLL* and Linux's EPOLL* event bits, EPOLL_CLOEXEC and PIPE_BUF, the
// constants of Python's select module. epoll_ctl's EPOLL_CTL_* operations
// stay inside the addon (each has its own binding).
const selectOut = process.argv[3];
if (selectOut) {
  const SELECT_HEADERS = `
#include <limits.h>
#include <poll.h>
#if defined(__linux__)
# include <sys/epoll.h>
#endif
`;
  const SELECT_NAME = /^(?:E?POLL[A-Z]+|EPOLL_CLOEXEC|PIPE_BUF)$/;
  const selectDir = mkdtempSync(join(tmpdir(), 'bsdsock-select-constants-'));
  let found = [];
  try {
    const src = join(selectDir, 's.c');
    writeFileSync(src, SELECT_HEADERS);
    const text = execFileSync(cc, ['-E', '-dM', '-D_GNU_SOURCE', src], { encoding: 'utf8' });
    const names = new Set();
    for (const line of text.split('\n')) {
      const m = /^#define ([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/.exec(line);
      if (m && SELECT_NAME.test(m[1]) && !NOT_A_NUMBER.test(m[2])) names.add(m[1]);
    }
    // Each name must compile as an integer constant expression.
    found = [...names].sort();
    writeFileSync(src, SELECT_HEADERS + found.map((n, i) => `long long bsd_s${i} = (long long)(${n});`).join('\n') + '\n');
    execFileSync(cc, ['-fsyntax-only', '-D_GNU_SOURCE', src], { stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    rmSync(selectDir, { recursive: true, force: true });
  }
  writeFileSync(
    selectOut,
    [
      '/* Generated at build time by scripts/gen-constants.mjs from the system headers. */',
      '#ifdef BSD_CONST_HEADERS',
      SELECT_HEADERS.trim(),
      '#else',
      ...found.map((n) => `BSD_CONST(${n})`),
      '#endif',
      '',
    ].join('\n'),
  );
}
