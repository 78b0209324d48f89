/**
 * gguf-pager through its public API (createRuntime / load / generate / stats),
 * in the runtime's worker with one thread (or `threads`): the model
 * cached in OPFS, weights paged under `ramBytes` (the policy's weight budget; pins none,
 * `prefetch` groups prefetched, default 0 as the default policy does for a
 * cached model; the policy `gguf-pager simulate --pins none --prefetch N`
 * models). A short warm-up generation first, so the 100 % row measures the
 * model resident; then the timed greedy generation.
 */
import { createRuntime } from '../../src/index.ts';

export interface PagerRowOptions {
  url: string;
  prompt: string;
  decodeTokens: number;
  ramBytes: number;
  kvBytes: number;
  reserveBytes: number;
  contextLength: number;
  /** Timed generations (after one warm-up); the row reports the one of median decode speed. */
  runs: number;
  /** Groups prefetched ahead under a budget (the bench's --prefetch, default 0: the default policy's for a cached model). */
  prefetch?: number;
  /** Compute threads (default 1). */
  threads?: number;
}

export interface PagerRow {
  promptTokens: number;
  promptTokensPerSecond: number;
  decodeTokens: number;
  decodeTokensPerSecond: number;
  bytesLoadedPerToken: number;
  maxResidentBytes: number;
  runtimeBudget: number;
  loadSeconds: number;
  /** Threads that computed (rt.threads). */
  threads: number;
  stopReason: string;
  text: string;
}

export async function runPager(o: PagerRowOptions): Promise<PagerRow> {
  const rt = await createRuntime({ budget: o.ramBytes + o.kvBytes + o.reserveBytes, kvBytes: o.kvBytes, kvType: 'f16', threads: o.threads ?? 1 });
  try {
    const t0 = performance.now();
    const model = await rt.load(o.url, {
      cache: 'auto',
      contextLength: o.contextLength,
      policy: { kind: 'pinnedHotSet', ramBytes: o.ramBytes, pinEmbeddings: false, pinOutputHead: false, pinLastNLayers: 0, prefetchNAhead: o.prefetch ?? 0 },
    });
    const loadSeconds = (performance.now() - t0) / 1000;
    await model.generate(o.prompt, { maxTokens: 4, temperature: 0 }).result;
    const rows: PagerRow[] = [];
    for (let i = 0; i < Math.max(1, o.runs); i++) {
      await model.reset();
      const result = await model.generate(o.prompt, { maxTokens: o.decodeTokens, temperature: 0, ignoreEog: true }).result;
      const s = await model.stats();
      rows.push({
        promptTokens: s.promptTokens,
        promptTokensPerSecond: s.promptTokensPerSecond,
        decodeTokens: s.generatedTokens,
        decodeTokensPerSecond: s.tokensPerSecond,
        bytesLoadedPerToken: s.bytesLoadedPerToken,
        maxResidentBytes: s.maxResidentBytes,
        runtimeBudget: rt.budget,
        loadSeconds,
        threads: rt.threads,
        stopReason: result.stopReason,
        text: result.text.slice(0, 80),
      });
    }
    await model.dispose();
    rows.sort((a, b) => a.decodeTokensPerSecond - b.decodeTokensPerSecond);
    const mid = rows[rows.length >> 1];
    const prompts = rows.map((r) => r.promptTokensPerSecond).sort((a, b) => a - b);
    return { ...mid, promptTokensPerSecond: prompts[prompts.length >> 1] };
  } finally {
    await rt.dispose();
  }
}
