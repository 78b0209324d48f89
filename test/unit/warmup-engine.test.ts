import { describe, expect, it } from 'vitest';
import { ModelWarmup, needsWarmup, type WarmupTarget } from '../../src/runtime/warmup.ts';
import type { Engine, GenerateParams } from '../../src/runtime/engine.ts';
import { isGgufPagerError } from '../../src/core/errors.ts';

/** A test double of the Engine interface (no inference engine exists yet): records every call. */
class RecordingEngine implements Engine {
  readonly calls: Array<{ op: 'generate'; tokens: number[]; n: number; seed: number; params?: GenerateParams } | { op: 'reset' }> = [];
  constructor(private readonly reply: (n: number) => Promise<number[]> = async (n) => Array.from({ length: n }, (_, i) => 100 + i)) {}
  generate(tokens: number[], n: number, seed: number, params?: GenerateParams) {
    this.calls.push({ op: 'generate', tokens, n, seed, params });
    return this.reply(n);
  }
  reset() { this.calls.push({ op: 'reset' }); }
}

/** A test double of the pager side: one pinned tensor, two blocks; records calls and tracks residency. */
function target(): WarmupTarget & { calls: string[] } {
  const resident = new Set<string>();
  const calls: string[] = [];
  let misses = 0;
  const load = (ids: string[]) => ids.forEach((id) => { if (!resident.has(id)) { resident.add(id); misses++; } });
  return {
    calls,
    prefetchNAhead: 1,
    async loadPinned() { calls.push('loadPinned'); load(['output.weight']); },
    prefetch(ids) { calls.push('prefetch'); load(ids); },
    schedule: () => [['blk.0.attn_q.weight'], ['blk.1.attn_q.weight']],
    async acquireMany(ids) { calls.push('acquire'); load(ids); return { release() {} }; },
    stats: () => ({ bytesLoaded: misses * 64, misses }),
    pinnedIds: () => ['output.weight'],
    isResident: (id) => resident.has(id),
  };
}

describe('ModelWarmup through an engine', () => {
  it('generates from the caller\'s token ids, not from made-up ones, then resets the engine (seed bug 5)', async () => {
    const engine = new RecordingEngine();
    const pager = target();
    const tokens = [1, 15043, 3186, 29991];
    const params: GenerateParams = { temperature: 0 };
    const result = await new ModelWarmup({ tokens, numTokens: 3, seed: 42, params }).run(pager, engine);
    expect(engine.calls).toEqual([{ op: 'generate', tokens, n: 3, seed: 42, params }, { op: 'reset' }]);
    expect(result.generatedTokens).toBe(3);
    expect(result.tensorsLoaded).toBe(2);
    expect(pager.calls).toEqual(['loadPinned', 'prefetch']);
  });

  it('generates one token with seed 0 by default', async () => {
    const engine = new RecordingEngine();
    await new ModelWarmup({ tokens: [7] }).run(target(), engine);
    expect(engine.calls[0]).toMatchObject({ op: 'generate', tokens: [7], n: 1, seed: 0 });
  });

  it('refuses to warm up through an engine without token ids, before loading anything', async () => {
    const engine = new RecordingEngine();
    const pager = target();
    for (const warmup of [new ModelWarmup(), new ModelWarmup({ tokens: [] })]) {
      const err = await warmup.run(pager, engine).catch((e: unknown) => e);
      expect(isGgufPagerError(err, 'INVALID_ARGUMENT')).toBe(true);
      expect((err as Error).message).toContain('tokenizer');
    }
    expect(engine.calls).toEqual([]);
    expect(pager.calls).toEqual([]);
  });

  it('refuses token ids that are not integers ≥ 0, and a numTokens below 1', () => {
    for (const tokens of [[1, 2.5], [-1], [Number.NaN]]) {
      expect(() => new ModelWarmup({ tokens })).toThrow(/token \d is/);
    }
    expect(() => new ModelWarmup({ tokens: [1], numTokens: 0 })).toThrow(/numTokens/);
  });

  it('resets the engine when generation fails and lets the error reach the caller', async () => {
    const engine = new RecordingEngine(async () => { throw new Error('kernel failed'); });
    const pager = target();
    await expect(new ModelWarmup({ tokens: [1] }).run(pager, engine)).rejects.toThrow('kernel failed');
    expect(engine.calls.map((c) => c.op)).toEqual(['generate', 'reset']);
    expect(needsWarmup(pager)).toBe(true);
  });

  it('leaves the model warm: needsWarmup says no afterwards', async () => {
    const pager = target();
    expect(needsWarmup(pager)).toBe(true);
    await new ModelWarmup({ tokens: [1] }).run(pager, new RecordingEngine());
    expect(needsWarmup(pager)).toBe(false);
  });

  it('keeps its own copy of the token ids', async () => {
    const tokens = [5, 6];
    const warmup = new ModelWarmup({ tokens });
    tokens[0] = 999;
    const engine = new RecordingEngine();
    await warmup.run(target(), engine);
    expect(engine.calls[0]).toMatchObject({ tokens: [5, 6] });
  });
});
