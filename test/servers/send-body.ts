/**
 * Writes a response body with the body-level faults of faults.ts: dropped
 * connection, slow pieces, a body shorter or longer than declared.
 */
import type { ServerResponse } from 'node:http';
import type { Faults } from './faults.ts';

export interface BodyPlan {
  /** File bytes [start, end) are the body. */
  start: number;
  end: number;
  /** Bytes the headers promise (Content-Length, or the span for chunked faults). */
  declared: number;
}

const PIECE = 16 << 10;

export async function sendBody(res: ServerResponse, bytes: Uint8Array, plan: BodyPlan, faults: Faults, n: number): Promise<void> {
  let body = bytes;
  if (faults.has('short-body') || faults.has('short-body-chunked')) body = bytes.subarray(0, Math.max(0, bytes.length - 16));
  if (faults.has('long-body')) {
    body = new Uint8Array(bytes.length + 16);
    body.set(bytes);
  }
  if (faults.has('short-body')) body = body.subarray(0, plan.declared);
  if (n === 1 && faults.has('corrupt-once') && body.length > 0) {
    body = body.slice();
    body[body.length >> 1] ^= 0xff;
  }
  if (n > 0 && faults.has('stall-mid-body')) {
    res.write(body.subarray(0, Math.floor(body.length / 2))); // and nothing more until the client gives up
    return;
  }
  if (n > 0 && n <= (faults.get('drop-mid-body') ?? 0)) {
    const half = body.subarray(0, Math.floor(body.length / 2));
    // The pause lets the client take in the first half before the connection dies.
    res.write(half, () => setTimeout(() => res.destroy(), 50));
    return;
  }
  const delay = faults.get('slow');
  if (delay === undefined) return void res.end(body);
  res.flushHeaders();
  for (let at = 0; at < body.length; at += PIECE) {
    await new Promise((ok) => setTimeout(ok, delay));
    if (res.destroyed) return;
    res.write(body.subarray(at, at + PIECE));
  }
  res.end();
}
