/**
 * Streams a response body chunk by chunk to a sink that copies each chunk
 * where it belongs (usually straight into Wasm memory): no whole-range buffer.
 * A body longer than its Content-Range is an error before the extra byte is
 * handed on; a body that ends early is an error too; an answer that covers
 * more than asked gives the bytes asked and the rest is cancelled.
 */
import { GgufPagerError } from '../../errors.ts';

/** Receives `chunk`, whose first byte is at absolute file offset `at`. */
export type ChunkSink = (chunk: Uint8Array, at: number) => void;

/** Bytes of one bounce buffer (a BYOB read fills at most this much at a time). */
export const BOUNCE_BYTES = 256 << 10;
/** Bounce buffers kept for reuse once their request ends (more requests than this allocate their own). */
const POOL_MAX = 8;
const pool: ArrayBuffer[] = [];

/**
 * Reads a body into a reused buffer. Where the body is a byte stream (fetch in
 * Chromium and Node), a BYOB reader fills one pooled bounce buffer again and
 * again: no per-chunk allocation, nothing for the garbage collector. Measured
 * (docs/memory.md): with a default reader every network chunk is a fresh
 * ArrayBuffer, and a worker downloading a model kept about the model's size
 * in private memory after the download, collected or not.
 */
export interface BodyReader {
  /** The next chunk, of at most `max` bytes where the stream lets the reader choose (BYOB). */
  read(max?: number): Promise<Uint8Array | undefined>;
  cancel(): Promise<void>;
  release(): void;
}

export function bodyReader(body: ReadableStream<Uint8Array>): BodyReader {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    byob = undefined;
  }
  if (!byob) {
    const r = body.getReader();
    return {
      read: async () => {
        const x = await r.read();
        return x.done ? undefined : x.value;
      },
      cancel: () => r.cancel(),
      release: () => r.releaseLock(),
    };
  }
  const reader = byob;
  let buf: ArrayBuffer | undefined = pool.pop() ?? new ArrayBuffer(BOUNCE_BYTES);
  return {
    async read(max?: number) {
      if (!buf) throw new Error('bounce buffer lost');
      const x = await reader.read(new Uint8Array(buf, 0, Math.max(1, Math.min(buf.byteLength, max ?? buf.byteLength))));
      // The buffer was transferred into the read: the answer's view owns it now.
      buf = x.value ? (x.value.buffer as ArrayBuffer) : undefined;
      if (x.done || !x.value) return undefined;
      return x.value;
    },
    cancel: () => reader.cancel(),
    release() {
      reader.releaseLock();
      if (buf && buf.byteLength === BOUNCE_BYTES && pool.length < POOL_MAX) pool.push(buf);
      buf = undefined;
    },
  };
}

/** File bytes [start, end) that a response body holds, as its Content-Range (or a 200) says. */
export interface BodySpan {
  start: number;
  end: number;
}

/**
 * Hands exactly `length` bytes starting at file offset `from` to `sink`.
 * A chunk handed to the sink is valid only during the call (its buffer is
 * reused for the next read): the sink copies what it keeps.
 *
 * `span` is what the body holds when the server answered more than asked (a
 * 206 that starts earlier or ends later, as Vite's sirv answers `bytes=0-0`
 * with the whole file): the bytes before `from` are read and dropped, reading
 * stops at the last byte needed (a BYOB read asks for no more than that), and
 * the rest of the body is cancelled, so a large answer never streams on.
 * Network errors from the reader propagate unchanged (the caller retries them).
 */
export async function streamBody(
  res: Response,
  url: string,
  from: number,
  length: number,
  sink: ChunkSink,
  span: BodySpan = { start: from, end: from + length },
): Promise<void> {
  const at = { url, status: res.status, offset: from, length };
  if (!res.body) {
    if (length === 0) return;
    throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: ${res.status} response for bytes ${from}-${from + length - 1} has no body`, at);
  }
  const skip = from - span.start;
  const covering = skip > 0 || span.end > from + length;
  const encoding = (res.headers.get('content-encoding') ?? '').trim().toLowerCase();
  const decoded = encoding !== '' && encoding !== 'identity';
  // With a Content-Length of exactly `length` the HTTP layer cannot deliver more: stop at the last byte instead
  // of waiting for end-of-stream (Node 20's fetch can leave that last read pending forever when the request is
  // aborted between the final chunk and the end; a process then never exits). A covering answer stops there too.
  const stopAtLength = covering || (!decoded && Number(res.headers.get('Content-Length')) === length);
  try {
    await pump(res.body, url, from, length, sink, skip, stopAtLength, covering, decoded ? 'decoded body' : 'body');
  } catch (e) {
    if (!decoded || !(e instanceof GgufPagerError) || e.code !== 'HTTP_BAD_LENGTH') throw e;
    // Decoded by fetch: the length checked is the decoded one, and a wrong one is the coding's fault.
    throw new GgufPagerError(
      'HTTP_CONTENT_ENCODING',
      `${url}: the body for bytes ${from}-${from + length - 1}, sent with Content-Encoding: ${encoding}, does not decode to the range asked (${e.message})`,
      { ...at, contentEncoding: encoding },
      { cause: e },
    );
  }
}

/**
 * Reads `skip` bytes to drop, then `length` bytes for `sink`; with `stopAtLength`
 * it stops there (and with `cancelRest` cancels what the body still holds), otherwise it reads
 * to the end and a longer body is an error before the extra byte is handed on.
 */
async function pump(
  body: ReadableStream<Uint8Array>,
  url: string,
  from: number,
  length: number,
  sink: ChunkSink,
  skip: number,
  stopAtLength: boolean,
  cancelRest: boolean,
  what: string,
): Promise<void> {
  const reader = bodyReader(body);
  const need = skip + length;
  let seen = 0;
  try {
    while (!(stopAtLength && seen === need)) {
      const value = await reader.read(stopAtLength ? need - seen : undefined);
      if (!value) break;
      const end = seen + value.length;
      if (end > need && !stopAtLength) {
        throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: ${what} for bytes ${from}-${from + length - 1} is longer than the ${length} bytes asked`, {
          url,
          offset: from,
          length,
          received: end - skip,
        });
      }
      const a = Math.max(0, skip - seen);
      const b = Math.min(value.length, need - seen);
      if (b > a) sink(a === 0 && b === value.length ? value : value.subarray(a, b), from + seen + a - skip);
      seen = end;
    }
    if (cancelRest) reader.cancel().catch(() => undefined);
  } catch (e) {
    reader.cancel().catch(() => undefined);
    throw e;
  } finally {
    reader.release();
  }
  if (seen < need) {
    const got = Math.max(0, seen - skip);
    throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: ${what} for bytes ${from}-${from + length - 1} ended after ${got} of ${length} bytes`, {
      url,
      offset: from,
      length,
      received: got,
    });
  }
}

/** Reads a whole body of at most `max` bytes into one small array, or undefined if it is longer. */
export async function readSmallBody(res: Response, max: number, onChunk?: ChunkSink): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = [];
  let got = 0;
  if (res.body) {
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        got += value.length;
        if (got > max) {
          reader.cancel().catch(() => undefined);
          return undefined;
        }
        parts.push(value);
        onChunk?.(value, got - value.length);
      }
    } finally {
      reader.releaseLock();
    }
  }
  const out = new Uint8Array(got);
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}
