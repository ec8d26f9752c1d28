// Descriptor counts for the leak checks of the tests.
//
// Node opens and closes some descriptors by itself, at moments a test does
// not choose: since Node 22 it reads the NODE_EXTRA_CA_CERTS bundle on a
// background thread at start-up, and every event loop (the main one, each
// worker's) holds epoll, eventfd and io_uring descriptors. A leak check that
// counted those would fail or pass by timing. bsdsock itself only ever makes
// sockets and installs the descriptors it receives (SCM_RIGHTS), so the
// counts below leave out Node's own kinds and keep everything else: sockets,
// pipes, files and devices a test opened or received.
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

const TRUST_DIRS = ['/etc/ssl/', '/usr/lib/ssl/', '/usr/local/ssl/', '/etc/pki/'];

function trustFiles() {
  const files = new Set();
  for (const name of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE']) if (process.env[name]) files.add(process.env[name]);
  return files;
}

/** True for a descriptor target that Node's runtime opens or closes by itself. */
export function isNodeInternal(target) {
  if (target.startsWith('anon_inode:')) return true; // epoll, eventfd, io_uring, timerfd of an event loop
  if (trustFiles().has(target)) return true;
  const certDir = process.env.SSL_CERT_DIR;
  if (certDir && target.startsWith(join(certDir, '/'))) return true;
  return TRUST_DIRS.some((dir) => target.startsWith(dir));
}

/** `fd target` for each open descriptor of this process that a test can leak. */
export function fdList() {
  const out = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    let target;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the directory handle readdirSync had open, already closed
    }
    if (target === '/proc/self/fd' || /^\/proc\/\d+\/fd$/.test(target)) continue;
    if (!isNodeInternal(target)) out.push(`${fd} ${target}`);
  }
  return out;
}

/** How many descriptors a test can leak are open (see fdList). */
export const openFds = () => fdList().length;

/** The descriptors open now (see fdList), for fdsOpenedSince. */
export const fdSnapshot = () => new Set(fdList());

/**
 * The descriptors open now that were not open (as the same fd and target)
 * when `snapshot` was taken: what a test leaked. Unlike a count, this is not
 * upset by a descriptor closing in between; Bun closes the stdio sockets of a
 * finished child process (execFileSync included) at a moment of its own.
 */
export const fdsOpenedSince = (snapshot) => fdList().filter((entry) => !snapshot.has(entry));

/**
 * How many descriptors are open, event-loop ones included, trust-store files
 * left out: for tests whose own objects are such descriptors (an epoll
 * object is an anon_inode too) and that start no worker while counting.
 */
export function openFdsWithLoops() {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target.startsWith('anon_inode:') || !isNodeInternal(target)) n++;
  }
  return n;
}

/** How many sockets this process has open. */
export const openSockets = () => fdList().filter((entry) => entry.includes(' socket:[')).length;
