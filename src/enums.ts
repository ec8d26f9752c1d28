// Python's IntEnum classes AddressFamily, SocketKind, MsgFlag and
// AddressInfo, as objects mapping name -> number and number -> name.
import { binding } from './native';

/** A two-way map: `AddressFamily.AF_INET === 2` and `AddressFamily[2] === 'AF_INET'`. */
export type IntEnum = Readonly<Record<string, number | string>>;

// Aliases that share a value with the name Python shows for it.
const ALIASES = new Set(['AF_LOCAL', 'AF_FILE', 'AF_ROUTE', 'AF_MAX', 'MSG_TRYHARD', 'SOCK_MAX']);

function makeEnum(prefix: string, exclude: (name: string) => boolean = () => false): IntEnum {
  const e: Record<string, number | string> = {};
  const names = Object.keys(binding.constants)
    .filter((n) => n.startsWith(prefix) && !exclude(n))
    .sort();
  for (const n of names) e[n] = binding.constants[n];
  for (const n of names) {
    const v = binding.constants[n];
    if (!ALIASES.has(n) && !(v in e && typeof e[v] === 'string' && !ALIASES.has(e[v] as string))) e[v] = n;
  }
  for (const n of names) {
    const v = binding.constants[n];
    if (!(v in e)) e[v] = n;
  }
  return Object.freeze(e);
}

/** Address families (`AF_*`). */
export const AddressFamily: IntEnum = makeEnum('AF_', (n) => n === 'AF_MAX');
// Names that start with SOCK_ in the Linux headers without being socket
// types (SO_LOCK flags, the ioctl type, SO_TXREHASH values).
const NOT_A_KIND = /^SOCK_(MAX|SNDBUF_LOCK|RCVBUF_LOCK|BUF_LOCK_MASK|IOC_TYPE|TXREHASH_\w+)$/;

/** Socket types (`SOCK_*`), and the SOCK_NONBLOCK / SOCK_CLOEXEC flags, as in Python. */
export const SocketKind: IntEnum = makeEnum('SOCK_', (n) => NOT_A_KIND.test(n));
/** `MSG_*` flags of send and receive calls. */
export const MsgFlag: IntEnum = makeEnum('MSG_');
/** `AI_*` flags of getaddrinfo. */
export const AddressInfo: IntEnum = makeEnum('AI_');
