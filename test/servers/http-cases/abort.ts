import { expect, it } from 'vitest';
import { firstPatternMismatch } from '../pattern.ts';
import { genFile } from '../urls.ts';
import { failure, open, target, type CaseContext } from './context.ts';

const file = (seed: number) => genFile(2 << 20, seed);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Aborting: prompt, typed, and nothing written afterwards. */
export function abortCases(ctx: CaseContext): void {
  it('aborts a slow read promptly with SOURCE_ABORTED and writes nothing into the target afterwards', async () => {
    const t = target(ctx, file(31), ['after/1', 'slow/20']);
    const src = await open(t.url);
    const out = new Uint8Array(1 << 20);
    const ctrl = new AbortController();
    const read = src.readInto(0, out, { signal: ctrl.signal });
    await wait(100);
    ctrl.abort();
    await failure(read, 'SOURCE_ABORTED');
    // The body comes in 64 pieces of 16 KiB, one per 20 ms: the rejection did not wait for the last one.
    expect(
      out.subarray(out.length - (16 << 10)).every((b) => b === 0),
      'the read waited for the whole body',
    ).toBe(true);
    const snapshot = out.slice();
    await wait(150);
    expect(
      out.every((b, i) => b === snapshot[i]),
      'bytes written after the abort',
    ).toBe(true);
    await wait(100);
    expect((await t.stats()).inFlight).toBe(0);
  });

  it('keeps serving the other reads of a shared request when one of them aborts', async () => {
    const src = await open(target(ctx, file(32), ['after/1', 'slow/10']).url);
    const a = new Uint8Array(100_000);
    const b = new Uint8Array(100_000);
    const ctrl = new AbortController();
    const ra = src.readInto(0, a, { signal: ctrl.signal });
    const rb = src.readInto(100_000, b);
    await wait(30);
    ctrl.abort();
    await failure(ra, 'SOURCE_ABORTED');
    await rb;
    expect(firstPatternMismatch(b, 100_000, 32)).toBe(-1);
    expect(src.stats.requests).toBe(2);
  });

  it('rejects an open whose signal is already aborted, and every read once the source signal aborts', async () => {
    await failure(open(target(ctx, file(33)).url, { signal: AbortSignal.abort() }), 'SOURCE_ABORTED');
    const ctrl = new AbortController();
    const src = await open(target(ctx, file(33), ['after/1', 'slow/20']).url, { signal: ctrl.signal, maxConcurrent: 1 });
    const reads = [0, 1, 2].map((i) => src.readInto(i * 500_000, new Uint8Array(100_000)));
    await wait(50);
    ctrl.abort();
    for (const r of reads) await failure(r, 'SOURCE_ABORTED');
    await failure(src.readInto(0, new Uint8Array(100)), 'SOURCE_ABORTED');
  });

  it('rejects waiting and running reads on close', async () => {
    const src = await open(target(ctx, file(34), ['after/1', 'slow/20']).url, { maxConcurrent: 1 });
    const reads = [0, 1].map((i) => src.readInto(i * 1_000_000, new Uint8Array(100_000)));
    await wait(30);
    await src.close();
    for (const r of reads) await failure(r, 'SOURCE_ABORTED');
  });
}
