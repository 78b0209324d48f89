/**
 * Reading the headers of a range response: `Content-Range`, the validators
 * that identify a version of the file (ETag, Last-Modified), and the signs
 * that an answer is an HTML page rather than model bytes.
 */
import type { SourceIdentity } from '../source.ts';

export type ContentRange = { kind: 'range'; start: number; end: number; total: number | undefined } | { kind: 'unsatisfied'; total: number };

/** Parses `bytes a-b/total`, `bytes a-b/*` or `bytes *\/total`; undefined if malformed. */
export function parseContentRange(value: string | null): ContentRange | undefined {
  if (value === null) return undefined;
  const m = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(value);
  if (!m) return undefined;
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (m[1] === undefined) return total === undefined ? undefined : { kind: 'unsatisfied', total };
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start || (total !== undefined && end >= total)) return undefined;
  return { kind: 'range', start, end, total };
}

/** The identity of the version a response came from. */
export function identityOf(headers: Headers, size: number): SourceIdentity {
  const id: SourceIdentity = { size };
  const etag = headers.get('etag');
  const lastModified = headers.get('last-modified');
  if (etag) id.etag = etag;
  if (lastModified) id.lastModified = lastModified;
  return id;
}

/** The `If-Range` value for `id`: its strong ETag, else its Last-Modified date, else none. */
export function ifRangeValue(id: SourceIdentity): string | undefined {
  if (id.etag && !id.etag.startsWith('W/')) return id.etag;
  return id.lastModified;
}

/**
 * Why a response shows another version of the file than `id` (size, ETag or
 * Last-Modified differ), or undefined when nothing visible differs.
 */
export function versionChange(id: SourceIdentity, headers: Headers, total: number | undefined): string | undefined {
  if (total !== undefined && total !== id.size) return `size is now ${total} bytes, was ${id.size}`;
  const etag = headers.get('etag');
  if (etag && id.etag && etag !== id.etag) return `ETag is now ${etag}, was ${id.etag}`;
  const lm = headers.get('last-modified');
  if (lm && id.lastModified && lm !== id.lastModified) return `Last-Modified is now ${lm}, was ${id.lastModified}`;
  return undefined;
}

/** `Content-Type: text/html` (or XHTML): an error or login page, not a model. */
export function isHtmlContentType(headers: Headers): boolean {
  const ct = (headers.get('content-type') ?? '').trim().toLowerCase();
  return ct.startsWith('text/html') || ct.startsWith('application/xhtml+xml');
}

const HTML_STARTS = ['<!doctype', '<html'];

/** Whether bytes at offset 0 start like an HTML document (after a BOM and whitespace). */
export function looksLikeHtml(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return HTML_STARTS.some((s) => {
    if (bytes.length - i < s.length) return false;
    for (let k = 0; k < s.length; k++) if ((bytes[i + k] | 0x20) !== s.charCodeAt(k)) return false; // | 0x20 lower-cases letters, keeps '<' and '!'
    return true;
  });
}
