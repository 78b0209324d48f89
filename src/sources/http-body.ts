/**
 * Streams a response body chunk by chunk to a sink that copies each chunk
 * where it belongs (usually straight into Wasm memory): no whole-range buffer.
 * A body longer than expected is an error before the extra byte is handed
 * on; a body that ends early is an error too.
 */
import { GgufPagerError } from '../core/errors.ts';

/** Receives `chunk`, whose first byte is at absolute file offset `at`. */
export type ChunkSink = (chunk: Uint8Array, at: number) => void;

/**
 * Hands exactly `length` bytes starting at file offset `from` to `sink`.
 * Network errors from the reader propagate unchanged (the caller retries them).
 */
export async function streamBody(res: Response, url: string, from: number, length: number, sink: ChunkSink): Promise<void> {
  const at = { url, status: res.status, offset: from, length };
  if (!res.body) {
    if (length === 0) return;
    throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: ${res.status} response for bytes ${from}-${from + length - 1} has no body`, at);
  }
  const reader = res.body.getReader();
  // With a Content-Length of exactly `length` the HTTP layer cannot deliver more: stop at the last byte instead
  // of waiting for end-of-stream (Node 20's fetch can leave that last read pending forever when the request is
  // aborted between the final chunk and the end; a process then never exits).
  const framed = Number(res.headers.get('Content-Length')) === length;
  let got = 0;
  try {
    while (!(framed && got === length)) {
      const { done, value } = await reader.read();
      if (done) break;
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
    reader.releaseLock();
  }
  if (got < length) {
    throw new GgufPagerError('HTTP_BAD_LENGTH', `${url}: body for bytes ${from}-${from + length - 1} ended after ${got} of ${length} bytes`, { ...at, received: got });
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
