// Whether this Node.js runs under user-mode emulation (qemu-user: an arm64
// Node.js on an x86-64 machine, as CI runs the arm64 build), and what
// qemu-user does not translate, so that the tests that need it skip there and
// only there.
import { readFileSync } from 'node:fs';

function detect() {
  if (process.env.BSDSOCK_EMULATOR) return process.env.BSDSOCK_EMULATOR;
  if (process.platform !== 'linux' || process.arch === 'x64' || process.arch === 'ia32') return null;
  // qemu-user passes the host's /proc/cpuinfo through: an x86 CPU under a
  // Node.js of another architecture.
  try {
    if (/^vendor_id\s*:\s*(GenuineIntel|AuthenticAMD)/m.test(readFileSync('/proc/cpuinfo', 'utf8'))) return 'qemu-user';
  } catch {}
  return null;
}

/** 'qemu-user' when emulated, else null. */
export const emulator = detect();

/**
 * A skip reason when emulated (the socket call qemu-user does not translate,
 * and how it fails there), else false: `{ skip: qemuLacks('...') }`.
 */
export const qemuLacks = (what) => (emulator ? `${emulator} does not translate ${what}` : false);

/**
 * How much longer things take when emulated: a child Node.js starts in
 * seconds there, not in tens of milliseconds. For the time limits of child
 * processes, never for assertions about speed.
 */
export const SLOWDOWN = Number(process.env.BSDSOCK_TEST_SLOWDOWN) > 0 ? Number(process.env.BSDSOCK_TEST_SLOWDOWN) : emulator ? 8 : 1;
