import { expect, it } from 'vitest';
import { firstPatternMismatch } from '../pattern.ts';
import { genFile } from '../urls.ts';
import { failure, open, target, type CaseContext } from './context.ts';

const file = (seed: number) => genFile(4 << 20, seed);

/** The request queue: a concurrency limit the server can count, and coalesced neighbours. */
export function batchingCases(ctx: CaseContext): void {
  it('never has more requests in flight than maxConcurrent', async () => {
    const t = target(ctx, file(41), ['slow/5']);
    const src = await open(t.url, { maxConcurrent: 2 });
    const reads = Array.from({ length: 8 }, (_, i) => ({ at: i * 400_000, out: new Uint8Array(60_000) }));
    await Promise.all(reads.map((r) => src.readInto(r.at, r.out)));
    for (const r of reads) expect(firstPatternMismatch(r.out, r.at, 41)).toBe(-1);
    const s = await t.stats();
    expect(s.requests).toBe(9);
    expect(s.maxInFlight).toBe(2);
  });

  it('serves 64 adjacent small reads issued together with one request', async () => {
    const t = target(ctx, file(42));
    const src = await open(t.url);
    const reads = Array.from({ length: 64 }, (_, i) => ({ at: 10_000 + i * 1000, out: new Uint8Array(1000) }));
    await Promise.all(reads.map((r) => src.readInto(r.at, r.out)));
    for (const r of reads) expect(firstPatternMismatch(r.out, r.at, 42)).toBe(-1);
    expect((await t.stats()).ranges).toEqual(['bytes=0-15', 'bytes=10000-73999']);
  });

  it('coalesces reads waiting behind the limit, overlapping ones included', async () => {
    const t = target(ctx, file(43), ['slow/5']);
    const src = await open(t.url, { maxConcurrent: 1 });
    const first = src.readInto(2_000_000, new Uint8Array(200_000));
    const reads = Array.from({ length: 20 }, (_, i) => ({ at: 5000 + i * 3000, out: new Uint8Array(4000) }));
    await Promise.all([first, ...reads.map((r) => src.readInto(r.at, r.out))]);
    for (const r of reads) expect(firstPatternMismatch(r.out, r.at, 43)).toBe(-1);
    expect((await t.stats()).requests).toBe(3);
  });

  it('keeps reads farther apart than coalesceGapBytes in separate requests', async () => {
    const t = target(ctx, file(44));
    const src = await open(t.url, { coalesceGapBytes: 100 });
    await Promise.all([src.readInto(0, new Uint8Array(1000)), src.readInto(1100, new Uint8Array(10)), src.readInto(1211, new Uint8Array(10))]);
    expect((await t.stats()).ranges.slice(1).sort()).toEqual(['bytes=0-1109', 'bytes=1211-1220']);
  });

  it('reports progress as a growing byte count that ends at the bytes received', async () => {
    const seen: number[] = [];
    const src = await open(target(ctx, file(45)).url, { onProgress: (n) => seen.push(n) });
    const out = new Uint8Array(1 << 20);
    await src.readInto(12_345, out);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1])).toBe(true);
    expect(seen.at(-1)).toBe(src.stats.bytesReceived);
    expect(src.stats.bytesReceived).toBe(16 + (1 << 20));
  });

  it('streams a 4 MiB read straight into a WebAssembly.Memory view', async () => {
    const size = 4 << 20;
    const src = await open(target(ctx, file(46)).url);
    const memory = new WebAssembly.Memory({ initial: 80, maximum: 80 });
    const view = new Uint8Array(memory.buffer, 65_536, size - 100);
    await src.readInto(100, view);
    expect(firstPatternMismatch(view, 100, 46)).toBe(-1);
  });

  it('fails with INVALID_ARGUMENT, without retrying, when the target is detached by memory.grow mid-read', async () => {
    const src = await open(target(ctx, file(47), ['after/1', 'slow/10']).url);
    const memory = new WebAssembly.Memory({ initial: 8, maximum: 16 });
    const read = src.readInto(0, new Uint8Array(memory.buffer, 0, 300_000));
    await new Promise((r) => setTimeout(r, 40));
    memory.grow(1);
    const err = await failure(read, 'INVALID_ARGUMENT');
    expect(err.message).toContain('memory.grow');
    expect(src.stats.retries).toBe(0);
  });
}
