import { expect, it } from 'vitest';
import { firstPatternMismatch } from '../pattern.ts';
import { genFile } from '../urls.ts';
import type { TagStats } from '../range-server.ts';
import { failure, open, target, type CaseContext } from './context.ts';

/** The server's figures once every response of `t` has ended (polled by count). */
export async function settledStats(t: { stats(): Promise<TagStats> }): Promise<TagStats> {
  let s = await t.stats();
  for (let i = 0; i < 200 && s.inFlight > 0; i++) {
    await new Promise((ok) => setTimeout(ok, 25));
    s = await t.stats();
  }
  return s;
}

/** A server that trickles (one byte every 20 ms, never silent long enough for the no-data timeout). */
export function trickleCases(ctx: CaseContext): void {
  // Small windows so the test takes a fraction of a second; the defaults are 1 KiB/s over 30 s.
  const slowWatch = { stallMs: 60_000, minBytesPerSecond: 1024, rateWindowMs: 150, stallRetries: 1 };

  it('counts a rate under minBytesPerSecond over a window as a stall: HTTP_STALLED after the allowed resumes, connections closed', async () => {
    const t = target(ctx, genFile(64 << 10, 1), ['after/1', 'trickle/20']);
    const src = await open(t.url, slowWatch);
    const err = await failure(src.readInto(1000, new Uint8Array(20_000)), 'HTTP_STALLED');
    expect(err.details.slow).toBe(true);
    expect(err.message).toMatch(/under the minimum of 1024 bytes\/s/);
    expect(err.details.stalls).toBe(2);
    const s = await settledStats(t);
    expect(s.requests).toBe(3); // the open, then one attempt and one resumed attempt
    expect(s.cutShort).toBe(2);
  });

  it('does not count a fast transfer as a stall, whatever the window', async () => {
    const src = await open(target(ctx, genFile(1 << 20, 2)).url, { ...slowWatch, rateWindowMs: 100 });
    const out = new Uint8Array(900_000);
    await src.readInto(5, out);
    expect(firstPatternMismatch(out, 5, 2)).toBe(-1);
  });

  it('an aborted read closes its request: the server sees the connection closed', async () => {
    const t = target(ctx, genFile(64 << 10, 3), ['after/1', 'trickle/20']);
    const src = await open(t.url);
    const ac = new AbortController();
    const read = src.readInto(100, new Uint8Array(10_000), { signal: ac.signal });
    while ((await t.stats()).requests < 2) await new Promise((ok) => setTimeout(ok, 10));
    ac.abort();
    await failure(read, 'SOURCE_ABORTED');
    const s = await settledStats(t);
    expect(s.inFlight).toBe(0);
    expect(s.cutShort).toBe(1);
  });
}
