import { afterEach, describe, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import type { Standalone } from '../../src/engine/standalone.ts';
import type { StandaloneOptions } from '../../src/engine/standalone.ts';
import { maxAbsDiff, openReference, reference, STORIES } from '../cases/gen-models.ts';
import { SAMPLED } from '../cases/gen-sampled.ts';

const open: Standalone[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.dispose();
});
const ref = reference(STORIES);
const stories = async (opts: StandaloneOptions = {}) => {
  const s = await openReference(ref, opts);
  open.push(s);
  return s;
};

/** 37 tokens: the prompt and llama.cpp's continuation, so a batch of 32 is followed by one of 5. */
const LONG = [...ref.promptIds, ...ref.greedyIds];
/** Batched and token-by-token logits differ only in the order of float sums (f16 KV rounds them alike). */
const BATCH_TOLERANCE = 1e-3;

/** K of every cached token in layer 0 (f32 pages), token after token. */
function layer0K(s: Awaited<ReturnType<typeof stories>>): Float32Array {
  const kv = s.engine.forward.kv;
  const pool = s.core.kv!;
  const T = kv.tokensPerPage;
  const out = new Float32Array(kv.length * kv.kvDim);
  const pages = pool.seqPages(kv.seq(0));
  for (let t = 0; t < kv.length; t++) {
    const page = pool.page(pages[Math.floor(t / T)]) as Float32Array;
    out.set(page.subarray((t % T) * kv.kvDim, ((t % T) + 1) * kv.kvDim), t * kv.kvDim);
  }
  return out;
}

async function promptLogits(batchSize: number): Promise<Float32Array[]> {
  const s = await stories({ batchSize });
  const out: Float32Array[] = [];
  await s.engine.generate(LONG, {
    maxTokens: 0,
    onLogits: (pos, l) => {
      out[pos] = l;
    },
  });
  return out;
}

describe('the prompt in batches', () => {
  it('gives the logits of token-by-token processing within the tolerance, for batches of 32 and 8', async () => {
    const one = await promptLogits(1);
    for (const batch of [32, 8]) {
      const many = await promptLogits(batch);
      expect(many.length).toBe(LONG.length);
      const worst = Math.max(...one.map((l, pos) => maxAbsDiff(l, many[pos])));
      expect(worst).toBeLessThan(BATCH_TOLERANCE);
    }
  });

  it('loads each weight once per batch, not once per token', async () => {
    const s = await stories({ ramBytes: 300_000 });
    await s.engine.generate(LONG, { maxTokens: 0 });
    const blockBytes = s.model.tensors.filter((t) => t.name.startsWith('blk.')).reduce((a, t) => a + t.size, 0);
    // Two batches (32 + 5 tokens): every block is read twice at most, not 37 times.
    expect(s.pager.stats().bytesLoaded).toBeLessThanOrEqual(2 * blockBytes + 300_000);
  });
});

describe('prefix reuse', () => {
  it('computes only the new tokens when a prompt extends the cached ones, with the ids of a fresh run', async () => {
    const fresh = await stories();
    const want = await fresh.engine.generate(LONG, { maxTokens: 8, temperature: 0, ignoreEog: true });
    const s = await stories();
    await s.engine.generate(ref.promptIds, { maxTokens: 4, temperature: 0, ignoreEog: true });
    const again = await s.engine.generate(LONG, { maxTokens: 8, temperature: 0, ignoreEog: true });
    expect(again.tokens).toEqual(want.tokens);
    expect(again.promptTokensProcessed).toBeLessThan(LONG.length);
    expect(again.promptTokensProcessed).toBe(LONG.length - (ref.promptIds.length + 3));
  });

  it('keeps the common prefix when the prompts diverge, with the ids of a fresh run', async () => {
    const other = [...ref.promptIds.slice(0, 3), 300, 301, 302];
    const fresh = await stories();
    const want = await fresh.engine.generate(other, { maxTokens: 8, temperature: 0, ignoreEog: true });
    const s = await stories();
    await s.engine.generate(LONG, { maxTokens: 2, temperature: 0, ignoreEog: true });
    const again = await s.engine.generate(other, { maxTokens: 8, temperature: 0, ignoreEog: true });
    expect(again.tokens).toEqual(want.tokens);
    expect(again.promptTokensProcessed).toBe(3);
  });

  it('recomputes the last token of a prompt that is all cached (its logits are needed)', async () => {
    const s = await stories();
    const first = await s.engine.generate(ref.promptIds, { maxTokens: 4, temperature: 0, ignoreEog: true });
    const second = await s.engine.generate(ref.promptIds, { maxTokens: 4, temperature: 0, ignoreEog: true });
    expect(second.tokens).toEqual(first.tokens);
    expect(second.promptTokensProcessed).toBe(1);
  });
});

describe('paging', () => {
  it('generates bit-identical ids under a budget of 25 % of the model as with everything resident', async () => {
    const resident = await stories();
    const want = await resident.engine.generate(ref.promptIds, { maxTokens: 32, temperature: 0, ignoreEog: true });
    const quarter = Math.floor(resident.model.totalTensorBytes / 4);
    const s = await stories({ ramBytes: quarter });
    const got = await s.engine.generate(ref.promptIds, { maxTokens: 32, temperature: 0, ignoreEog: true });
    expect(got.tokens).toEqual(want.tokens);
    const st = s.pager.stats();
    expect(st.maxResidentBytes).toBeLessThanOrEqual(quarter);
    expect(got.bytesLoadedPerToken).toBeGreaterThan(0);
    // Embedding rows were read from the source, the table itself was never paged in.
    expect(s.engine.forward.embeddings.bytesRead).toBe((ref.promptIds.length + 31) * 64 * 4);
    expect(s.pager.isResident('token_embd.weight')).toBe(false);
  });
});

describe('the KV cache', () => {
  it('stops with contextFull when the context is used up, and refuses a prompt longer than it', async () => {
    const s = await stories({ contextLength: 8 });
    const r = await s.engine.generate(ref.promptIds, { maxTokens: 20, temperature: 0, ignoreEog: true });
    expect(r.stopReason).toBe('contextFull');
    expect(r.tokens.length).toBe(8 - ref.promptIds.length + 1);
    s.engine.reset();
    const e = await s.engine.generate(LONG, { maxTokens: 1 }).catch((x) => x);
    expect(isGgufPagerError(e, 'CONTEXT_FULL')).toBe(true);
  });

  it('shifts a full context with contextShift, keeping the first token and going on to maxTokens', async () => {
    const s = await stories({ contextLength: 16 });
    const r = await s.engine.generate(ref.promptIds, { maxTokens: 30, temperature: 0, ignoreEog: true, contextShift: true });
    expect(r.stopReason).toBe('maxTokens');
    expect(r.tokens).toHaveLength(30);
    expect(s.engine.cachedTokens.length).toBeLessThanOrEqual(16);
    expect(s.engine.cachedTokens[0]).toBe(ref.promptIds[0]); // keep = 1: the BOS stays
  });

  it('re-rotates the K of the tokens a shift moves: layer 0 holds what a fresh run at the new positions computes', async () => {
    const s = await stories({ contextLength: 16, kvType: 'f32' });
    await s.engine.forward.run(LONG.slice(0, 16));
    expect(await s.engine.forward.shiftContext(1)).toBe(7); // (16 − 1) / 2 of the oldest after the first
    const kept = [...s.engine.cachedTokens];
    expect(kept).toEqual([LONG[0], ...LONG.slice(8, 16)]);
    const fresh = await stories({ contextLength: 16, kvType: 'f32' });
    await fresh.engine.forward.run(kept);
    // Layer 0's K depends only on the token and its position (deeper layers also saw the dropped tokens).
    expect(maxAbsDiff(layer0K(s), layer0K(fresh))).toBeLessThan(1e-4);
  });

  it('returns every page to the pool on reset and on dispose', async () => {
    const s = await openReference(ref, { kvType: 'f32' });
    const pool = s.core.kv!;
    await s.engine.generate(LONG, { maxTokens: 1 });
    expect(pool.freePages).toBeLessThan(pool.totalPages);
    s.engine.reset();
    expect(pool.freePages).toBe(pool.totalPages);
    await s.engine.generate(LONG, { maxTokens: 1 });
    await s.dispose();
    expect(pool.freePages).toBe(pool.totalPages);
    pool.check();
  });
});

describe('sampling and chat', () => {
  it('samples the same ids in Node as in Chromium for the same seed (test/browser/generate.test.ts)', async () => {
    const s = await stories();
    const r = await s.engine.generate(SAMPLED.prompt, SAMPLED.options);
    expect(r.tokens).toEqual(SAMPLED.ids);
  });

  it('renders the chat template (ChatML for a model without one) and reuses the first turn in the second', async () => {
    const s = await stories();
    const turn1 = [{ role: 'user', content: 'Hi' }];
    const prompt = s.engine.applyChatTemplate(turn1);
    expect(prompt).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    const first = await s.engine.chat(turn1, { maxTokens: 6, temperature: 0 });
    expect(first.promptTokens).toBe(s.engine.tokenize(prompt, { parseSpecial: true }).length);
    const second = await s.engine.chat([...turn1, { role: 'assistant', content: first.text }, { role: 'user', content: 'More' }], {
      maxTokens: 6,
      temperature: 0,
    });
    expect(second.promptTokensProcessed).toBeLessThan(second.promptTokens - first.promptTokens);
  });
});

describe('stop conditions', () => {
  it('stops at a stop string without emitting it', async () => {
    const s = await stories();
    const r = await s.engine.generate(ref.prompt, { maxTokens: 32, temperature: 0, stop: ['Lily'] });
    expect(r.stopReason).toBe('stop');
    expect(r.text).toBe(ref.greedyText.slice(0, ref.greedyText.indexOf('Lily')));
  });

  it('stops when the signal is aborted, with the reason abort', async () => {
    const s = await stories();
    const ac = new AbortController();
    let n = 0;
    const r = await s.engine.generate(ref.prompt, { maxTokens: 32, temperature: 0, signal: ac.signal }, () => {
      if (++n === 3) ac.abort();
    });
    expect(r.stopReason).toBe('abort');
    expect(r.tokens.length).toBe(3);
  });
});
