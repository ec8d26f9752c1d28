// What the sync and async ways of turning an IP address's host into a
// numeric one share (CPython's setipaddr): which hosts need a lookup at
// all, the ASCII (IDNA) form a name is looked up by, and which answer of
// getaddrinfo is taken. The sync rules use them in families/inet.ts, the async
// twins in async.ts (resolveHostAsync), which looks up on the thread pool.
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { gaierror } from './errors';
import { binding } from './native';

const C = binding.constants;

/**
 * Whether `host` is already numeric for `family`, so that no lookup is
 * needed. A scoped IPv6 literal ('fe80::1%eth0') is not: getaddrinfo
 * reads its zone, without a DNS query.
 */
export function isNumericHost(host: string, family: number): boolean {
  return family === C.AF_INET ? isIPv4(host) : isIPv6(host) && !host.includes('%');
}

/** The name getaddrinfo is given for `host`: its IDNA (ASCII) form, or '' when it has none. */
export function asciiHost(host: string): string {
  return /[^\p{ASCII}]/u.test(host) ? domainToASCII(host) : host;
}

/**
 * The address of the first getaddrinfo answer of `family` (without an
 * IPv6 zone), as CPython's setipaddr takes it; gaierror when there is none.
 */
export function answerOfFamily(answers: ReadonlyArray<readonly [number, ...unknown[]]>, family: number): string {
  for (const answer of answers) {
    if (answer[0] === family) {
      const text = (answer[4] as [string])[0];
      const zone = text.indexOf('%');
      return zone < 0 ? text : text.slice(0, zone);
    }
  }
  throw new gaierror(C.EAI_ADDRFAMILY ?? C.EAI_FAMILY, 'Address family for hostname not supported');
}
