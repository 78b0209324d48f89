/**
 * The baseline: wllama 3.8.1 (llama.cpp compiled to Wasm) with one thread (or `threads`: its multi-thread build, in the isolated page), on
 * the same GGUF URL. It downloads the whole file into its own memory (no cache),
 * then runs the prompt and a greedy completion; llama.cpp's own timings give
 * prompt and decode tokens per second.
 */
export interface WllamaRow {
  promptTokens: number;
  promptTokensPerSecond: number;
  decodeTokens: number;
  decodeTokensPerSecond: number;
  loadSeconds: number;
}

interface WllamaTimings {
  prompt_n: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_per_second: number;
}
interface WllamaLike {
  loadModelFromUrl(url: string, opts: Record<string, unknown>): Promise<unknown>;
  createCompletion(opts: Record<string, unknown>): Promise<{ timings?: WllamaTimings }>;
  exit(): Promise<void>;
}

async function open(wllamaBase: string): Promise<WllamaLike> {
  const mod = await import(/* @vite-ignore */ `${wllamaBase}/esm/index.js`);
  return new mod.Wllama({ default: `${wllamaBase}/esm/wasm/wllama.wasm` }, { suppressNativeLog: true }) as WllamaLike;
}

export async function runWllama(opts: {
  wllamaBase: string;
  url: string;
  prompt: string;
  decodeTokens: number;
  nCtx: number;
  threads?: number;
}): Promise<WllamaRow> {
  const w = await open(opts.wllamaBase);
  try {
    const t0 = performance.now();
    await w.loadModelFromUrl(opts.url, { n_threads: opts.threads ?? 1, n_ctx: opts.nCtx, n_batch: 128, n_gpu_layers: 0, useCache: false });
    const loadSeconds = (performance.now() - t0) / 1000;
    const res = await w.createCompletion({ prompt: opts.prompt, max_tokens: opts.decodeTokens, temperature: 0, ignore_eos: true, cache_prompt: false });
    const t = res.timings;
    if (!t) throw new Error('wllama returned no timings');
    return {
      loadSeconds,
      promptTokens: t.prompt_n,
      promptTokensPerSecond: t.prompt_per_second,
      decodeTokens: t.predicted_n,
      decodeTokensPerSecond: t.predicted_per_second,
    };
  } finally {
    await w.exit().catch(() => undefined);
  }
}
