/**
 * Which URLs a model may be fetched from: http(s) and blob: only. A
 * `javascript:`, `data:`, `file:` or other URL is refused at once with
 * `INVALID_ARGUMENT`, never fetched or retried.
 */
import { GgufPagerError } from '../../errors.ts';

const SCHEMES = ['http:', 'https:', 'blob:'];

/** `url` made absolute against `base` (the page's location, when there is one), or the error. */
export function checkModelUrl(url: string, base?: string): string {
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    throw new GgufPagerError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(url.slice(0, 200))} is not a URL${base ? '' : ' (a relative URL needs a page to resolve against)'}`,
      { url: url.slice(0, 200) },
    );
  }
  if (!SCHEMES.includes(u.protocol)) {
    throw new GgufPagerError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(url.slice(0, 80))} has the scheme ${u.protocol}: models load from http:, https: or blob: URLs only`,
      { url: url.slice(0, 200), scheme: u.protocol },
    );
  }
  return u.href;
}

/** The page's (or worker's) location, to resolve relative URLs against; undefined in Node. */
export function baseHref(): string | undefined {
  return (globalThis as { location?: { href?: string } }).location?.href;
}
