/**
 * Streams a response body chunk by chunk to a sink that copies each chunk
 * where it belongs (usually straight into Wasm memory): no whole-range buffer.
 * A body longer than expected is an error before the extra byte is handed
 * on; a body that ends early is an error too.
 */
import { GgufPagerError } from '../core/errors.ts';

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
  read(): Promise<Uint8Array | undefined>;
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
      read: async () => { const x = await r.read(); return x.done ? undefined : x.value; },
      cancel: () => r.cancel(),
      release: () => r.releaseLock(),
    };
  }
  const reader = byob;
  let buf: ArrayBuffer | undefined = pool.pop() ?? new ArrayBuffer(BOUNCE_BYTES);
  return {
    async read() {
      if (!buf) throw new Error('bounce buffer lost');
      const x = await reader.read(new Uint8Array(buf, 0, buf.byteLength));
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

/**
 * Hands exactly `length` bytes starting at file offset `from` to `sink`.
 * A chunk handed to the sink is valid only during the call (its buffer is
 * reused for the next read): the sink copies what it keeps.
 * Network errors from the reader propagate unchanged (the caller retries them).
 */
export async function streamBody(res: Response, url: string, from: number, length: number, sink: ChunkSink): Promise<void> {
  const at = { url, status: res.status, offset: from, length };
  if (!res.body) {
    if (length === 0) return;
    throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: ${res.status} response for bytes ${from}-${from + length - 1} has no body`, at);
  }
  const encoding = (res.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    // Decoded by fetch: the length to check is the decoded one, and a wrong one is the coding's fault.
    try {
      return await streamDecoded(res.body, url, from, length, sink);
    } catch (e) {
      if (!(e instanceof GgufPagerError) || e.code !== 'HTTP_BAD_LENGTH') throw e;
      throw new GgufPagerError('HTTP_CONTENT_ENCODING', `${url}: the body for bytes ${from}-${from + length - 1}, sent with Content-Encoding: ${encoding}, does not decode to the range asked (${e.message})`,
        { ...at, contentEncoding: encoding }, { cause: e });
    }
  }
  const reader = bodyReader(res.body);
  // With a Content-Length of exactly `length` the HTTP layer cannot deliver more: stop at the last byte instead
  // of waiting for end-of-stream (Node 20's fetch can leave that last read pending forever when the request is
  // aborted between the final chunk and the end; a process then never exits).
  const framed = Number(res.headers.get('Content-Length')) === length;
  let got = 0;
  try {
    while (!(framed && got === length)) {
      const value = await reader.read();
      if (!value) break;
      if (got + value.length > length) {
        throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: body for bytes ${from}-${from + length - 1} is longer than the ${length} bytes asked`, { ...at, received: got + value.length });
      }
      sink(value, from + got);
      got += value.length;
    }
  } catch (e) {
    reader.cancel().catch(() => undefined);
    throw e;
  } finally {
    reader.release();
  }
  if (got < length) {
    throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: body for bytes ${from}-${from + length - 1} ended after ${got} of ${length} bytes`, { ...at, received: got });
  }
}

/** A decoded body: exactly `length` bytes up to its end (no Content-Length framing applies). */
async function streamDecoded(body: ReadableStream<Uint8Array>, url: string, from: number, length: number, sink: ChunkSink): Promise<void> {
  const reader = bodyReader(body);
  let got = 0;
  try {
    for (;;) {
      const value = await reader.read();
      if (!value) break;
      if (got + value.length > length) {
        throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: decoded body for bytes ${from}-${from + length - 1} is longer than the ${length} bytes asked`, { url, offset: from, length });
      }
      sink(value, from + got);
      got += value.length;
    }
  } catch (e) {
    reader.cancel().catch(() => undefined);
    throw e;
  } finally {
    reader.release();
  }
  if (got < length) throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: decoded body for bytes ${from}-${from + length - 1} ended after ${got} of ${length} bytes`, { url, offset: from, length, received: got });
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
