/**
 * What an HTTP range attempt watches and asks when it fails: the minimum
 * transfer rate (a server that trickles a byte every few seconds never trips a
 * no-data timeout), and one HEAD that follows no redirect, to tell a redirect
 * failure (loop, too many hops) or a refused compression from a network error.
 */
import { contentEncoding } from './response.ts';

export interface RateWatch {
  /** Counts bytes received; the first call (headers arrived) starts the first window. */
  add(n: number): void;
  /** Starts the first window (the response's headers arrived) if no byte did. */
  begin(now: number): void;
  /** Why the attempt is too slow when a whole window brought fewer bytes than the minimum, else ''. */
  check(now: number): string;
}

/**
 * A tumbling-window rate check for an attempt that needs `need` bytes: from
 * the response on, each window of `windowMs` must bring `minBytesPerSecond`
 * (or all the bytes still needed, if fewer). 0 turns it off. The time to the
 * first byte is the no-data timeout's to judge, not this.
 */
export function rateWatch(minBytesPerSecond: number, windowMs: number, need: number): RateWatch {
  let start = -1;
  let total = 0;
  let atStart = 0;
  return {
    add(n) {
      total += n;
    },
    begin(now) {
      if (start < 0) start = now;
    },
    check(now) {
      if (minBytesPerSecond <= 0 || start < 0 || now - start < windowMs) return '';
      const got = total - atStart;
      const want = Math.min((minBytesPerSecond * windowMs) / 1000, need - atStart);
      [start, atStart] = [now, total];
      return got < want ? `${got} bytes in ${windowMs} ms, under the minimum of ${minBytesPerSecond} bytes/s` : '';
    },
  };
}

/**
 * One HEAD of `url` that follows no redirect: whether it redirects (a fetch
 * that failed after following it failed on the redirects), and its
 * Content-Encoding ('' for none, or when the HEAD fails too).
 */
export async function diagnose(
  fetchFn: typeof fetch,
  url: string,
  headers: Record<string, string> | undefined,
  signal: AbortSignal,
): Promise<{ redirect: boolean; coding: string }> {
  try {
    const res = await fetchFn(url, {
      method: 'HEAD',
      cache: 'no-store',
      redirect: 'manual',
      headers: { ...headers },
      signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]),
    });
    const redirect = res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400);
    return { redirect, coding: redirect ? '' : contentEncoding(res) };
  } catch {
    return { redirect: false, coding: '' };
  }
}
