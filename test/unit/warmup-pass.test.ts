import { describe, expect, it } from 'vitest';
import { ModelWarmup, needsWarmup, type WarmupTarget } from '../../src/runtime/warmup.ts';
import { isGgufPagerError } from '../../src/core/errors.ts';

/**
 * A test double of the pager side of warm-up (the real LayerPager is adapted to
 * WarmupTarget by the runtime): it tracks residency and counters for real and
 * records every call in order. `drop` stands for an eviction.
 */
class RecordingTarget implements WarmupTarget {
  readonly calls: string[] = [];
  private readonly resident = new Set<string>();
  private bytes = 0;
  private loads = 0;
  constructor(
    private readonly sizes: Map<string, number>,
    private readonly groups: string[][],
    private readonly pinned: string[],
    readonly prefetchNAhead: number,
    private readonly onAcquire: () => void = () => {},
  ) {}
  async loadPinned() { this.calls.push('loadPinned'); this.pinned.forEach((id) => this.load(id)); }
  prefetch(ids: string[]) { this.calls.push(`prefetch ${ids.join(' ')}`); ids.forEach((id) => this.load(id)); }
  schedule() { return this.groups.map((g) => [...g]); }
  async acquireMany(ids: string[]) {
    this.onAcquire();
    this.calls.push(`acquire ${ids.join(' ')}`);
    ids.forEach((id) => this.load(id));
    return { release: () => { this.calls.push(`release ${ids.join(' ')}`); } };
  }
  stats() { return { bytesLoaded: this.bytes, misses: this.loads }; }
  pinnedIds() { return [...this.pinned]; }
  isResident(id: string) { return this.resident.has(id); }
  drop(id: string) { this.resident.delete(id); }
  load(id: string) {
    const size = this.sizes.get(id);
    if (size === undefined) throw new Error(`unknown tensor ${id}`);
    if (this.resident.has(id)) return;
    this.resident.add(id);
    this.bytes += size;
    this.loads++;
  }
}

const EMB = 'token_embd.weight';
const OUT = 'output.weight';
const blk = (i: number) => [`blk.${i}.attn_q.weight`, `blk.${i}.ffn_up.weight`];

function model(prefetchNAhead = 2, onAcquire?: () => void) {
  const groups = [[EMB], blk(0), blk(1), blk(2), [OUT]];
  const sizes = new Map<string, number>([[EMB, 1000], [OUT, 900]]);
  for (let i = 0; i < 3; i++) blk(i).forEach((id, j) => sizes.set(id, 100 + 10 * i + j));
  return new RecordingTarget(sizes, groups, [EMB, OUT], prefetchNAhead, onAcquire);
}

describe('ModelWarmup without an engine', () => {
  it('loads the pinned set, prefetches the first window, then acquires every group in forward order', async () => {
    const target = model(2);
    await new ModelWarmup().run(target);
    expect(target.calls).toEqual([
      'loadPinned',
      `prefetch ${EMB} ${blk(0).join(' ')}`,
      `acquire ${EMB}`, `release ${EMB}`,
      `acquire ${blk(0).join(' ')}`, `release ${blk(0).join(' ')}`,
      `acquire ${blk(1).join(' ')}`, `release ${blk(1).join(' ')}`,
      `acquire ${blk(2).join(' ')}`, `release ${blk(2).join(' ')}`,
      `acquire ${OUT}`, `release ${OUT}`,
    ]);
  });

  it('reports the tensors and bytes this run loaded, and the time it took', async () => {
    let t = 0;
    const target = model(1, () => { t += 5; });
    target.load(blk(2)[0]);
    const result = await new ModelWarmup({ now: () => t }).run(target);
    expect(result).toEqual({
      elapsedMs: 25,
      tensorsLoaded: 7,
      bytesLoaded: 1000 + 900 + 100 + 101 + 110 + 111 + 121,
      generatedTokens: 0,
    });
  });

  it('makes no prefetch call when prefetchNAhead is 0', async () => {
    const target = model(0);
    await new ModelWarmup().run(target);
    expect(target.calls.some((c) => c.startsWith('prefetch'))).toBe(false);
    expect(target.calls[0]).toBe('loadPinned');
  });

  it('refuses a prefetchNAhead that is not a count', async () => {
    const err = await new ModelWarmup().run(model(-1)).catch((e: unknown) => e);
    expect(isGgufPagerError(err, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('needsWarmup', () => {
  it('says yes before a run and no after it (the seed always said yes)', async () => {
    const target = model(2);
    expect(needsWarmup(target)).toBe(true);
    await new ModelWarmup().run(target);
    expect(needsWarmup(target)).toBe(false);
    expect(ModelWarmup.needsWarmup(target)).toBe(false);
  });

  it('says yes when every tensor is resident but no run has happened', () => {
    const target = model(2);
    [EMB, OUT, ...blk(0), ...blk(1), ...blk(2)].forEach((id) => target.load(id));
    expect(needsWarmup(target)).toBe(true);
  });

  it('says yes again once a pinned tensor is evicted', async () => {
    const target = model(2);
    await new ModelWarmup().run(target);
    target.drop(OUT);
    expect(needsWarmup(target)).toBe(true);
  });

  it('says yes again once a tensor of the first window is evicted, but not for a later block', async () => {
    const target = model(2);
    await new ModelWarmup().run(target);
    target.drop(blk(2)[0]);
    expect(needsWarmup(target)).toBe(false);
    target.drop(blk(0)[1]);
    expect(needsWarmup(target)).toBe(true);
  });

  it('stays yes when the run fails', async () => {
    const target = model(2);
    target.acquireMany = async () => { throw new Error('source gone'); };
    await expect(new ModelWarmup().run(target)).rejects.toThrow('source gone');
    expect(needsWarmup(target)).toBe(true);
  });
});
