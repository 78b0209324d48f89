import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/authoring/model-plan.ts';
import { llamaVectorModel, llamaVectorNames, loadLlamaVector } from '../cases/llama-vectors.ts';

const names = llamaVectorNames();

describe('the llama.cpp reference vectors', () => {
  it('cover stories260K and its re-encodings with both KV types, every weight type, and qwen2', () => {
    for (const t of ['F32', 'F16', 'Q8_0', 'Q4_0']) for (const kv of ['f16', 'f32']) expect(names).toContain(`stories260K-${t}-kv${kv}`);
    for (const t of ['F32', 'F16', 'BF16', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0', 'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'Q4_K_M'])
      expect(names).toContain(`llama-${t}`);
    expect(names.filter((n) => n.startsWith('qwen2-')).length).toBeGreaterThan(0);
  });

  it.each(names)('%s is whole: 32 greedy ids, each the argmax of the logits row before it, one finite row per position', (name) => {
    const v = loadLlamaVector(name);
    expect(v.greedyIds).toHaveLength(32);
    expect(v.logits).toHaveLength(v.promptIds.length + 31);
    for (const row of v.logits) {
      expect(row).toHaveLength(v.vocab);
      expect(row.every(Number.isFinite)).toBe(true);
    }
    v.greedyIds.forEach((id, i) => {
      const row = v.logits[v.promptIds.length - 1 + i];
      expect(row[id]).toBe(Math.max(...row));
    });
    expect(v.runtime.kvType).toMatch(/^F(16|32)$/);
  });

  it.each(names)('%s: its recipe rebuilds the exact model llama.cpp ran (same sha256)', async (name) => {
    const v = loadLlamaVector(name);
    const bytes = await llamaVectorModel(v);
    expect(bytes.length).toBe(v.model.size);
    expect(await sha256Hex(bytes)).toBe(v.model.sha256);
  });

  it('stories260K speaks the same 32 greedy tokens in F32, F16 and Q8_0 under llama.cpp; Q4_0 parts after 20', () => {
    const ids = loadLlamaVector('stories260K-F32-kvf16').greedyIds;
    expect(loadLlamaVector('stories260K-F32-kvf16').greedyText).toMatch(/^, there was a little girl named Lily/);
    for (const n of names.filter((x) => x.startsWith('stories260K-') && !x.includes('Q4_0'))) expect([n, loadLlamaVector(n).greedyIds]).toEqual([n, ids]);
    for (const kv of ['f16', 'f32']) expect(loadLlamaVector(`stories260K-Q4_0-kv${kv}`).greedyIds.slice(0, 20)).toEqual(ids.slice(0, 20));
  });
});
