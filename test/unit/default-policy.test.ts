import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { sizedLlama } from '../../src/authoring/synthetic-size.ts';
import { defaultPolicy, pinnedSet } from '../../src/pager/policy.ts';

describe('the policy of a load that names none', () => {
  it('pins embeddings and output head and prefetches one group when they fit in half the budget', async () => {
    const model = await parseGguf(sizedLlama(8 << 20));
    const p = defaultPolicy(model, 8 << 20);
    expect(p).toMatchObject({ kind: 'pinnedHotSet', ramBytes: 8 << 20, pinEmbeddings: true, pinOutputHead: true, prefetchNAhead: 1 });
    expect([...pinnedSet(model, p)].sort()).toEqual(['output.weight', 'output_norm.weight', 'token_embd.weight']);
  });

  it('prefetches nothing when load says the bytes are read from the device (a downloaded cache, an OPFS handle)', async () => {
    const model = await parseGguf(sizedLlama(8 << 20));
    expect(defaultPolicy(model, 8 << 20, 0)).toMatchObject({ kind: 'pinnedHotSet', pinEmbeddings: true, pinOutputHead: true, prefetchNAhead: 0 });
  });

  it('pins nothing when the hot set would take over half the budget, so a small budget still pages', async () => {
    const model = await parseGguf(sizedLlama(8 << 20));
    const hot = model.tensors.filter((t) => ['token_embd.weight', 'output.weight', 'output_norm.weight'].includes(t.name)).reduce((a, t) => a + t.size, 0);
    expect(defaultPolicy(model, 2 * hot - 64)).toEqual({ kind: 'budget', ramBytes: 2 * hot - 64 });
    expect(defaultPolicy(model, 2 * hot).kind).toBe('pinnedHotSet');
  });
});
