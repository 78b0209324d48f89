/**
 * What a range response means, before any byte of its body is handed on:
 * status, `Content-Range`, `Content-Length`, HTML instead of a model, and a
 * file that changed on the server. Every failure is a GgufPagerError naming
 * the URL, the status and the range asked; retryable ones (5xx, 429, 408)
 * carry `details.retryable` and, if the server sent one, `retryAfterMs`.
 */
import { GgufPagerError } from '../../errors.ts';
import type { SourceIdentity } from '../source.ts';
import type { BodySpan } from './body.ts';
import { isHtmlContentType, parseContentRange, versionChange } from './headers.ts';
import { isRetryableStatus, retryAfterMs } from './retry.ts';

/** A response that passed the checks common to every request. */
export type Answer =
  | { kind: 'range'; start: number; end: number; total: number | undefined }
  | { kind: 'whole'; length: number | undefined }
  | { kind: 'unsatisfied'; total: number };

/** The request being answered: bytes [from, to) of `url`. */
export interface Asked {
  url: string;
  from: number;
  to: number;
}

const rangeText = (a: Asked) => `bytes ${a.from}-${a.to - 1}`;

/** Content codings that fetch decodes itself (browsers and Node): their bodies arrive decoded. */
const DECODED_BY_FETCH = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/** The response's Content-Encoding, lower-cased; '' when none or identity. */
export function contentEncoding(res: Response): string {
  const v = (res.headers.get('content-encoding') ?? '').trim().toLowerCase();
  return v === 'identity' ? '' : v;
}

/** Status, HTML check, `Content-Range` syntax and `Content-Length` against it. */
export function classify(res: Response, asked: Asked): Answer {
  const at = { url: asked.url, status: res.status, offset: asked.from, length: asked.to - asked.from };
  if ((res.status === 200 || res.status === 206) && isHtmlContentType(res.headers)) {
    throw new GgufPagerError(
      'HTTP_NOT_MODEL',
      `${asked.url} answered ${rangeText(asked)} with an HTML page (Content-Type ${res.headers.get('content-type')}), not model bytes`,
      at,
    );
  }
  const length = contentLength(res);
  if (res.status === 206) {
    const cr = parseContentRange(res.headers.get('content-range'));
    if (cr?.kind !== 'range') {
      throw new GgufPagerError(
        'HTTP_BAD_CONTENT_RANGE',
        `${asked.url} answered ${rangeText(asked)} with 206 but Content-Range is ${JSON.stringify(res.headers.get('content-range'))} (a cross-origin server must list Content-Range in Access-Control-Expose-Headers)`,
        at,
      );
    }
    // A range sent compressed: fetch decodes gzip/deflate/br (Content-Length is then the compressed size, and
    // streamBody checks the decoded length against Content-Range); any other coding cannot be read.
    const enc = contentEncoding(res);
    if (enc && !DECODED_BY_FETCH.has(enc)) {
      throw new GgufPagerError(
        'HTTP_CONTENT_ENCODING',
        `${asked.url} answered ${rangeText(asked)} with Content-Encoding: ${enc}, which cannot be decoded here; serve model files uncompressed`,
        { ...at, contentEncoding: enc },
      );
    }
    if (length !== undefined && !enc && length !== cr.end - cr.start + 1) {
      throw new GgufPagerError(
        'HTTP_BAD_LENGTH',
        `${asked.url} answered ${rangeText(asked)} with Content-Length ${length} for Content-Range bytes ${cr.start}-${cr.end}`,
        { ...at, contentLength: length },
      );
    }
    return cr;
  }
  if (res.status === 200) return { kind: 'whole', length };
  if (res.status === 416) {
    const cr = parseContentRange(res.headers.get('content-range'));
    if (cr?.kind === 'unsatisfied') return cr;
    throw new GgufPagerError('HTTP_RANGE_NOT_SATISFIABLE', `${asked.url} answered ${rangeText(asked)} with 416 Range Not Satisfiable`, at);
  }
  const retryable = isRetryableStatus(res.status);
  throw new GgufPagerError('HTTP_STATUS', `${asked.url} answered ${rangeText(asked)} with status ${res.status}${res.statusText ? ' ' + res.statusText : ''}`, {
    ...at,
    retryable,
    retryAfterMs: retryable ? retryAfterMs(res.headers.get('retry-after')) : undefined,
  });
}

/**
 * For a read of a file already opened with `identity`: the file bytes the
 * body holds, or the error. A 206 is accepted when its Content-Range covers
 * the range asked (it may start earlier or end later: Vite's sirv answers
 * `bytes=0-0` with the whole file); the caller takes the bytes it needs and
 * cancels the rest. A 200 is accepted only when the whole file was asked.
 */
export function expectRange(res: Response, asked: Asked, identity: SourceIdentity): BodySpan {
  const answer = classify(res, asked);
  const at = { url: asked.url, status: res.status, offset: asked.from, length: asked.to - asked.from };
  const total = answer.kind === 'whole' ? answer.length : answer.total;
  const change = versionChange(identity, res.headers, total);
  if (change) {
    throw new GgufPagerError('SOURCE_CHANGED', `${asked.url} changed on the server since it was opened: ${change} (reading ${rangeText(asked)})`, {
      ...at,
      identity,
    });
  }
  if (answer.kind === 'unsatisfied') {
    throw new GgufPagerError(
      'HTTP_RANGE_NOT_SATISFIABLE',
      `${asked.url} answered ${rangeText(asked)} with 416 although the file has ${identity.size} bytes`,
      at,
    );
  }
  if (answer.kind === 'whole') {
    if (asked.from === 0 && asked.to === identity.size) return { start: 0, end: identity.size };
    throw new GgufPagerError('HTTP_RANGE_IGNORED', `${asked.url} ignored the Range header: it answered ${rangeText(asked)} with 200 and the whole file`, at);
  }
  if (!covers(answer, asked)) {
    throw new GgufPagerError(
      'HTTP_BAD_CONTENT_RANGE',
      `${asked.url} answered ${rangeText(asked)} with Content-Range bytes ${answer.start}-${answer.end}/${answer.total ?? '*'}, which does not cover the range asked`,
      at,
    );
  }
  return { start: answer.start, end: answer.end + 1 };
}

/** Whether a 206's Content-Range holds every byte of the range asked (it may hold more). */
export function covers(answer: { start: number; end: number }, asked: Asked): boolean {
  return answer.start <= asked.from && answer.end >= asked.to - 1;
}

function contentLength(res: Response): number | undefined {
  const v = res.headers.get('content-length');
  return v !== null && /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
}
