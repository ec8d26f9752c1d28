// AF_UNIX: a filesystem path, an abstract name (Linux: bytes starting with
// a NUL byte), or '' for autobind.
import { argTypeError, argValueError, plainOSError } from '../errors';
import { binding } from '../native';
import { bytesOf, isBytes, utf8Bytes } from '../validate';
import type { FamilyRules } from './common';

const C = binding.constants;

/**
 * An AF_UNIX address: a path as a string, or bytes (a Buffer; an abstract
 * name starts with a NUL byte). Returned addresses are a string for a path
 * and a Buffer for an abstract name or a path that is not valid UTF-8;
 * `''` is an unbound socket.
 */
export type UnixAddress = string | Buffer;

/** The AF_UNIX address rules; the codec takes the string, or the bytes as a Buffer. */
export const unixAddress: FamilyRules<UnixAddress | Uint8Array, string | Buffer> = {
  family: C.AF_UNIX,
  toNative(address) {
    let bytes: Buffer;
    if (typeof address === 'string') {
      if (address.includes('\0')) {
        throw argValueError('address', 'AF_UNIX path must not contain a NUL byte (use a Buffer for abstract names)');
      }
      bytes = utf8Bytes(address, 'address');
    } else if (isBytes(address)) {
      bytes = bytesOf(address);
    } else {
      throw argTypeError('address', 'of type string or a bytes-like object for AF_UNIX', address);
    }
    const abstract = bytes.length === 0 || bytes[0] === 0;
    const max = binding.limits.sun_path;
    if (bytes.length > max || (!abstract && bytes.length >= max)) throw plainOSError('AF_UNIX path too long');
    return typeof address === 'string' ? address : bytes;
  },
};
