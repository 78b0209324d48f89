import { expect, it } from 'vitest';
import { firstPatternMismatch } from '../pattern.ts';
import { genFile } from '../urls.ts';
import type { TagStats } from '../range-server.ts';
import { failure, open, target, type CaseContext } from './context.ts';

/** A file no body may stream in full: 4 GiB, computed by the server per read. */
const BIG = 2 ** 32 + 5;
const big = (seed: number) => `vgen/${BIG}/${seed}`;
/** Body bytes the server may hand on before a cancel reaches it (socket buffers on both sides): far below BIG. */
const SENT_BOUND = 64 << 20;

/** The server's figures once every response of `t` has ended (polled, by count, never by clock). */
async function settled(t: { stats(): Promise<TagStats> }): Promise<TagStats> {
  let s = await t.stats();
  for (let i = 0; i < 200 && s.inFlight > 0; i++) {
    await new Promise((ok) => setTimeout(ok, 25));
    s = await t.stats();
  }
  return s;
}

/**
 * Answers that hold more than asked (Vite's sirv answers `bytes=0-0` with the
 * whole file; some servers align ranges): the bytes asked are taken, the rest
 * is cancelled, and a 4 GiB body never streams on.
 */
export function coveringCases(ctx: CaseContext): void {
  it('opens with a 1-byte probe that sirv answers with the whole 4 GiB file, and cancels the rest', async () => {
    const t = target(ctx, big(1), ['sirv']);
    const src = await open(t.url, { headBytes: 1 });
    expect(src.size).toBe(BIG);
    const head = new Uint8Array(1);
    await src.readInto(0, head);
    expect(firstPatternMismatch(head, 0, 1)).toBe(-1);
    const s = await settled(t);
    expect(s.ranges[0]).toBe('bytes=0-0');
    expect(s.cutShort).toBe(1);
    expect(s.bytesSent).toBeLessThan(SENT_BOUND);
  });

  it('reads pieces through sirv, whose ranges are right except bytes=0-0', async () => {
    const t = target(ctx, genFile(300_000, 2), ['sirv']);
    const src = await open(t.url, { headBytes: 1 });
    const out = new Uint8Array(100_000);
    await src.readInto(123_456, out);
    expect(firstPatternMismatch(out, 123_456, 2)).toBe(-1);
  });

  it('takes a piece from a 206 of the whole 4 GiB file and cancels the rest', async () => {
    const t = target(ctx, big(3), ['whole-206']);
    const src = await open(t.url);
    const out = new Uint8Array(50_000);
    await src.readInto(1000, out);
    expect(firstPatternMismatch(out, 1000, 3)).toBe(-1);
    const s = await settled(t);
    expect(s.requests).toBe(2);
    expect(s.cutShort).toBe(2);
    expect(s.bytesSent).toBeLessThan(2 * SENT_BOUND);
  });

  it('takes a piece from a 206 that starts earlier and ends later than asked, and from a streamed range', async () => {
    const t = target(ctx, big(4), ['early-206/100000']);
    const src = await open(t.url);
    const at = 3_000_000_000;
    const out = new Uint8Array(70_000);
    await src.readInto(at, out);
    expect(firstPatternMismatch(out, at, 4)).toBe(-1);
    const streamed = new Uint8Array(300_000);
    await src.streamRange(at + 5, streamed.length, (chunk, o) => streamed.set(chunk, o - at - 5));
    expect(firstPatternMismatch(streamed, at + 5, 4)).toBe(-1);
    const s = await settled(t);
    expect(s.ranges.slice(1)).toEqual([`bytes=${at}-${at + 69_999}`, `bytes=${at + 5}-${at + 300_004}`]);
    expect(s.bytesSent).toBeLessThan(3 * SENT_BOUND);
  });

  it('still refuses a 206 that does not cover the range asked', async () => {
    const src = await open(target(ctx, genFile(4096, 5), ['after/1', 'wrong-content-range']).url);
    const err = await failure(src.readInto(100, new Uint8Array(100)), 'HTTP_BAD_CONTENT_RANGE');
    expect(err.message).toContain('does not cover');
  });
}
