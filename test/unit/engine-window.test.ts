/**
 * Sliding windows as a ring of KV pages (gemma3's reference model: window 8, layers 2 and 5 global):
 * with pages of two tokens the ring is trimmed after every batch and the logits are still llama.cpp's;
 * a local layer never holds more than W − 1 + a page + a batch; prefix reuse past what a ring freed
 * recomputes; contextShift and reset stay consistent; and the pool is sized for the rings, not the context.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KvCache } from '../../src/engine/kv-cache.ts';
import type { Standalone } from '../../src/engine/standalone.ts';
import { greedy, maxAbsDiff, openReference } from '../cases/gen-models.ts';
import { familyReference } from '../cases/family-vectors.ts';

const ref = familyReference('gemma3-F32-kvf32');
const W = 8;
const open: Standalone[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.dispose();
});
const gemma = async (opts: Parameters<typeof openReference>[1] = {}) => {
  const s = await openReference(ref, { contextLength: 256, kvPageElems: 2 * 128 * 2, ...opts });
  open.push(s);
  return s;
};
const fed = [...ref.promptIds, ...ref.greedyIds.slice(0, -1)];

describe("a sliding window's KV ring", () => {
  it("keeps llama.cpp's logits with pages of 2 tokens, and a local layer holds at most W − 1 + 2 + the batch", async () => {
    const s = await gemma({ batchSize: 4 });
    const kv = s.engine.forward.kv;
    expect(kv.tokensPerPage).toBe(2);
    expect(kv.windows).toEqual([W, W, 0, W, W, 0]);
    const logits: Float32Array[] = [];
    let most = 0;
    for (let at = 0; at < fed.length; at += 3) {
      await s.engine.forward.run(fed.slice(at, at + 3), undefined, (p, l) => {
        logits[p] = l;
      });
      for (let l = 0; l < 6; l++) {
        const held = s.core.kv!.seqLength(kv.seq(l));
        if (kv.windows[l] > 0) most = Math.max(most, held);
        else expect(held).toBe(kv.length);
      }
    }
    expect(most).toBeLessThanOrEqual(W - 1 + 2 + 3);
    expect(kv.dropped(0)).toBeGreaterThan(40);
    const worst = Math.max(...ref.logits.map((want, p) => maxAbsDiff(logits[p], want)));
    expect(worst).toBeLessThan(5e-4 * 2.6);
  });

  it('reuses a prefix the rings still hold, and recomputes when a ring freed what the cut needs: same ids either way', async () => {
    const s = await gemma();
    const first = await s.engine.generate(ref.promptIds, { maxTokens: 20, temperature: 0, ignoreEog: true });
    expect(first.tokens).toEqual(ref.greedyIds.slice(0, 20));
    // cut far back (position 10 < length − W): the rings no longer hold positions 3..9, so all is recomputed
    const early = [...ref.promptIds.slice(0, 10), ...ref.promptIds.slice(10).reverse()];
    const again = await s.engine.generate(early, { maxTokens: 8, temperature: 0, ignoreEog: true });
    const fresh = await gemma();
    expect(again.tokens).toEqual((await fresh.engine.generate(early, { maxTokens: 8, temperature: 0, ignoreEog: true })).tokens);
    expect(again.promptTokensProcessed).toBe(early.length);
    // a cut the rings still cover (the last generated token differs) reuses all but one token
    const near = [...early, ...again.tokens.slice(0, 7), 5];
    const reused = await s.engine.generate(near, { maxTokens: 4, temperature: 0, ignoreEog: true });
    expect(reused.promptTokensProcessed).toBe(1);
    const fresh2 = await gemma();
    expect(reused.tokens).toEqual((await fresh2.engine.generate(near, { maxTokens: 4, temperature: 0, ignoreEog: true })).tokens);
  });

  it('shifts a full context and resets with rings: lengths and drops stay consistent', async () => {
    const s = await gemma({ contextLength: 48 });
    const kv = s.engine.forward.kv;
    const r = await s.engine.generate(ref.promptIds, { maxTokens: 40, temperature: 0, ignoreEog: true, contextShift: true });
    expect(r.tokens).toHaveLength(40);
    expect(r.tokens.slice(0, 12)).toEqual(ref.greedyIds.slice(0, 12));
    expect(kv.length).toBeLessThan(48);
    for (let l = 0; l < 6; l++) expect(s.core.kv!.seqLength(kv.seq(l))).toBe(kv.length - kv.dropped(l));
    s.core.kv!.check();
    s.engine.reset();
    expect(kv.length).toBe(0);
    expect(kv.dropped(0)).toBe(0);
    expect((await greedy(s, ref.promptIds, 8)).ids).toEqual(ref.greedyIds.slice(0, 8));
  });

  it('sizes the pool for the rings: gemma3-1B-shaped, 8 k tokens cost its global layers plus a ring per local layer', () => {
    const windows = Array.from({ length: 26 }, (_, l) => (l % 6 < 5 ? 512 : 0));
    const p = KvCache.pagesFor(windows, 26, 16, 8192, 32);
    const global = windows.filter((w) => w === 0).length;
    expect(p.total).toBe(global * 512 + (26 - global) * Math.ceil((511 + 16 + 32) / 16));
    expect(p.total).toBeLessThan((26 * 512) / 3);
  });
});
