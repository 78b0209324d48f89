/** Warm-up through the real engine on stories260K: a short generation from the caller's token ids, then a reset. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { ModelWarmup, needsWarmup } from '../../src/runtime/warmup.ts';
import { hotSet, warmupStories, type WarmupStories } from '../cases/warmup-stories.ts';

const open: WarmupStories[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.dispose();
});
const stories = async () => {
  const s = await warmupStories((total) => hotSet(total, 1));
  open.push(s);
  return s;
};

describe('ModelWarmup through an engine', () => {
  it("generates greedily from the caller's token ids, then resets the engine", async () => {
    const s = await stories();
    const generate = vi.spyOn(s.engine, 'generate');
    const tokens = s.engine.tokenize('Once upon a time', { addSpecial: true });
    const result = await new ModelWarmup({ tokens, numTokens: 3, seed: 42 }).run(s.target, s.engine);
    expect(generate).toHaveBeenCalledTimes(1);
    expect(generate.mock.calls[0].slice(0, 2)).toEqual([tokens, { temperature: 0, maxTokens: 3, seed: 42 }]);
    const warm = await generate.mock.results[0].value;
    expect(result.generatedTokens).toBe(3);
    expect(result.tensorsLoaded).toBe(s.model.tensors.length);
    expect(s.engine.cachedTokens).toEqual([]);
    const again = await s.engine.generate(tokens, { maxTokens: 3, temperature: 0 });
    expect(again.tokens).toEqual(warm.tokens);
  });

  it('generates one token with seed 0 by default, and passes sampling params through', async () => {
    const s = await stories();
    const generate = vi.spyOn(s.engine, 'generate');
    await new ModelWarmup({ tokens: [1], params: { temperature: 0.8, topK: 5 } }).run(s.target, s.engine);
    expect(generate.mock.calls[0][1]).toEqual({ temperature: 0.8, topK: 5, maxTokens: 1, seed: 0 });
  });

  it('refuses to warm up through an engine without token ids, before loading anything', async () => {
    const s = await stories();
    const generate = vi.spyOn(s.engine, 'generate');
    for (const warmup of [new ModelWarmup(), new ModelWarmup({ tokens: [] })]) {
      const err = await warmup.run(s.target, s.engine).catch((e: unknown) => e);
      expect(isGgufPagerError(err, 'INVALID_ARGUMENT')).toBe(true);
      expect((err as Error).message).toContain('tokenizer');
    }
    expect(generate).not.toHaveBeenCalled();
    expect(s.pager.stats().misses + s.pager.stats().prefetches).toBe(0);
  });

  it('refuses token ids that are not integers ≥ 0, and a numTokens below 1', () => {
    for (const tokens of [[1, 2.5], [-1], [Number.NaN]]) {
      expect(() => new ModelWarmup({ tokens })).toThrow(/token \d is/);
    }
    expect(() => new ModelWarmup({ tokens: [1], numTokens: 0 })).toThrow(/numTokens/);
  });

  it('resets the engine when generation fails and lets the error reach the caller', async () => {
    const s = await stories();
    const reset = vi.spyOn(s.engine, 'reset');
    const err = await new ModelWarmup({ tokens: [1, 10_000_000] }).run(s.target, s.engine).catch((e: unknown) => e);
    expect(isGgufPagerError(err), String(err)).toBe(true);
    expect(reset).toHaveBeenCalledTimes(1);
    expect(s.engine.cachedTokens).toEqual([]);
    expect(needsWarmup(s.target)).toBe(true);
  });

  it('leaves the model warm: needsWarmup says no afterwards', async () => {
    const s = await stories();
    expect(needsWarmup(s.target)).toBe(true);
    await new ModelWarmup({ tokens: [1] }).run(s.target, s.engine);
    expect(needsWarmup(s.target)).toBe(false);
  });

  it('keeps its own copy of the token ids', async () => {
    const s = await stories();
    const generate = vi.spyOn(s.engine, 'generate');
    const tokens = [1, 2];
    const warmup = new ModelWarmup({ tokens });
    tokens[0] = 999;
    await warmup.run(s.target, s.engine);
    expect(generate.mock.calls[0][0]).toEqual([1, 2]);
  });
});
