/**
 * Fault injection for the test range server, chosen per request by a path
 * prefix: `/fault/<kind>[/<n>]/.../<file>`. Kinds combine
 * (`/fault/change-etag-after/1/no-if-range/gen/4096/1`). A numeric segment right
 * after a kind is its argument. "First N" counts GET requests to the same
 * path + query string, so a test makes its own counter with `?t=<unique>`.
 *
 * | kind | effect |
 * | --- | --- |
 * | `after/N` | the other faults skip the first N (1) requests and count from there (spares `open`'s request) |
 * | `sha256-etag` | the ETag is the SHA-256 of the file's bytes, 64 hex digits (as LFS hosts send it); `after` does not spare it |
 * | `corrupt-once` | the first (faulted) response has one byte of its body flipped |
 * | `gzip-range` | a 206 body gzip-compressed, `Content-Encoding: gzip`, chunked (no Content-Length), as compressing proxies send it |
 * | `gzip-whole-range` | a 206 whose gzip body decodes to more than the range (the encoded file cut at the range, as RFC 9110 reads it) |
 * | `unknown-encoding` | a 206 with `Content-Encoding: x-squash` over the plain bytes |
 * | `stall-mid-body` | every response stops after half its body and stays silent (the connection stays open) |
 * | `drop-mid-body[/N]` | the first N (1) responses stop after half the body (socket destroyed 50 ms later) |
 * | `reset[/N]` | the first N (1) requests are reset before any header |
 * | `503-then-ok[/N]` | the first N (1) requests get 503 |
 * | `429-retry-after[/S]` | the first request gets 429 with `Retry-After: S` (1) seconds |
 * | `429-retry-date[/S]` | the first request gets 429 with `Retry-After` an HTTP date S (2) seconds ahead |
 * | `ignore-range` | always 200 with the whole file |
 * | `always-416` | every range request gets 416 |
 * | `change-etag-after/N` | after N requests the file is another version: new ETag, Last-Modified and bytes |
 * | `no-if-range` | `If-Range` is ignored (a changed file still answers 206) |
 * | `slow[/MS]` | headers at once, then the body in 16 KiB pieces, each after MS (50) ms |
 * | `html` | 200 `text/html` error page whatever was asked |
 * | `html-body` | the file's bytes are an HTML page, served as `application/octet-stream` |
 * | `html-front` | the file keeps its size, but its bytes start with an HTML page (a large non-GGUF body, octet-stream) |
 * | `tensor-count/N` | the GGUF header's tensor_count (bytes 8..15) says N |
 * | `change-data-after/N` | as `change-etag-after`, but the first 512 KiB (a model's header) stay the same: the new version is still GGUF |
 * | `short-body` | `Content-Length` and body 16 bytes shorter than `Content-Range` says |
 * | `short-body-chunked` | chunked body 16 bytes shorter than the range, no `Content-Length` |
 * | `long-body` | chunked body 16 bytes longer than the range, no `Content-Length` |
 * | `wrong-content-range` | `Content-Range` names a range shifted by one byte |
 * | `sirv` | ranges parsed as Vite's sirv does: `bytes=0-0` gets a 206 with the whole file, `bytes=-10` bytes 0-10 |
 * | `whole-206` | every range gets a 206 whose Content-Range and body are the whole file |
 * | `early-206[/N]` | a 206 that starts N (4096) bytes before the range asked and ends N after (clamped to the file) |
 * | `trickle[/MS]` | headers at once, then one byte every MS (200) ms |
 * | `redirect-loop` | a 302 to the same path, forever |
 *
 * Bodies under `sirv`, `whole-206`, `early-206` and `trickle` are written piece by piece as
 * the socket drains, and `/__stats` counts the bytes handed on (`bytesSent`) and the responses the client closed
 * before their end (`cutShort`).
 */
export type FaultKind =
  | 'after'
  | 'sha256-etag'
  | 'corrupt-once'
  | 'gzip-range'
  | 'gzip-whole-range'
  | 'unknown-encoding'
  | 'stall-mid-body'
  | 'drop-mid-body'
  | 'reset'
  | '503-then-ok'
  | '429-retry-after'
  | '429-retry-date'
  | 'ignore-range'
  | 'always-416'
  | 'change-etag-after'
  | 'no-if-range'
  | 'slow'
  | 'html'
  | 'html-body'
  | 'short-body'
  | 'short-body-chunked'
  | 'long-body'
  | 'wrong-content-range'
  | 'sirv'
  | 'whole-206'
  | 'early-206'
  | 'trickle'
  | 'redirect-loop'
  | 'html-front'
  | 'tensor-count'
  | 'change-data-after';

const DEFAULT_ARG: Record<FaultKind, number> = {
  after: 1,
  'sha256-etag': 0,
  'corrupt-once': 0,
  'gzip-range': 0,
  'gzip-whole-range': 0,
  'unknown-encoding': 0,
  'stall-mid-body': 0,
  'drop-mid-body': 1,
  reset: 1,
  '503-then-ok': 1,
  '429-retry-after': 1,
  '429-retry-date': 2,
  'ignore-range': 0,
  'always-416': 0,
  'change-etag-after': 1,
  'no-if-range': 0,
  slow: 50,
  html: 0,
  'html-body': 0,
  'short-body': 0,
  'short-body-chunked': 0,
  'long-body': 0,
  'wrong-content-range': 0,
  sirv: 0,
  'whole-206': 0,
  'early-206': 4096,
  trickle: 200,
  'redirect-loop': 0,
  'html-front': 0,
  'tensor-count': 0,
  'change-data-after': 1,
};

export type Faults = Map<FaultKind, number>;

/** Splits `/fault/a/1/b/name` into its faults and the file name `name`. */
export function parseFaults(pathname: string): { faults: Faults; name: string } {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const faults: Faults = new Map();
  let i = 0;
  while (parts[i] === 'fault' && parts[i + 1] !== undefined && parts[i + 1] in DEFAULT_ARG) {
    const kind = parts[i + 1] as FaultKind;
    i += 2;
    let arg = DEFAULT_ARG[kind];
    if (parts[i] !== undefined && /^\d+$/.test(parts[i]) && parts[i + 1] !== undefined) arg = Number(parts[i++]);
    faults.set(kind, arg);
    if (parts[i] !== 'fault' && parts[i] !== undefined && parts[i] in DEFAULT_ARG) parts.splice(i, 0, 'fault');
  }
  return { faults, name: parts.slice(i).join('/') };
}

/** Counts GET requests per key (path + query string). */
export class RequestCounter {
  private readonly counts = new Map<string, number>();
  /** Returns the 1-based number of this request for `key`. */
  next(key: string): number {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (this.counts.size > 10_000) this.counts.delete(this.counts.keys().next().value as string);
    return n;
  }
}

/** The HTML page the `html` and `html-body` faults serve. */
export const HTML_PAGE = new TextEncoder().encode('<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n');
