/**
 * Attention benchmark: one query (32 heads, 8 kv heads, headDim 128: a
 * llama-3-8B layer) over 512 and 2048 cached positions of a KV sequence whose
 * pages alternate with a second sequence's (as layers' sequences do), f16 and
 * f32 pages. Time per token is one kAttention call (one layer); the baseline,
 * measured in the same run, is the same op in plain scalar loops
 * (kAttentionScalar, a test-only kernel: the cores here are the test/bench build,
 * build/core.testing*.wasm). GB/s counts the K and V bytes read once.
 *
 * `benchAttention(core)` measures on a core built by `attentionBenchCore(dtype, module)`
 * (npm run bench:kernels calls it); run alone:
 *   npm run bench:attention            (node dist/bench/kernels-attention.js [--json])
 */
import type { CoreModuleSource } from '../src/core/wasm.ts';
import type { KvDtype } from '../src/core/kv-pool.ts';
import { prng } from '../test/cases/prng.ts';
import { createTestingCore, type TestingCore } from '../test/cases/testing-core.ts';

export const ATTENTION_SHAPE = { nHead: 32, nKvHead: 8, headDim: 128 } as const;
export const ATTENTION_POSITIONS = [512, 2048] as const;
const TOKENS_PER_PAGE = 16;
const MAX_POS = 2048;
const RUNS = 7;
const MiB = 1024 * 1024;

export interface AttentionRow {
  op: 'attention';
  kv: KvDtype;
  positions: number;
  nHead: number;
  nKvHead: number;
  headDim: number;
  /** Median µs of one call (one token, one layer). */
  simdUs: number;
  /** Median µs of the scalar baseline. */
  scalarUs: number;
  /** Median over runs of scalar / simd time (runs interleaved). */
  speedup: number;
  /** K and V bytes of the nPos positions per second of simdUs. */
  kvGBps: number;
}

/**
 * A core whose KV pool holds two interleaved sequences of 2048 positions of the benchmark's shape
 * (`module`: the test/bench build, build/core.testing.wasm or build/core.testing-relaxed.wasm, compiled or its bytes).
 */
export async function attentionBenchCore(dtype: KvDtype, module: CoreModuleSource): Promise<TestingCore> {
  const kvDim = ATTENTION_SHAPE.nKvHead * ATTENTION_SHAPE.headDim;
  const pageElems = 2 * kvDim * TOKENS_PER_PAGE;
  const pages = 2 * (MAX_POS / TOKENS_PER_PAGE);
  const pageBytes = pageElems * (dtype === 'f16' ? 2 : 4);
  return createTestingCore({ arenaBytes: 4 * MiB + pages * pageBytes, kv: { pages, pageElems, dtype, maxSequences: 2 }, module });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** µs per call of each of `fns`, runs interleaved (so both see the same machine load): medians of RUNS batches, and the median per-run ratio b/a. */
function timePair(a: () => void, b: () => void, budgetMs: number): { aUs: number; bUs: number; ratio: number } {
  const reps = [a, b].map((fn) => {
    const t0 = performance.now();
    fn();
    return Math.max(1, Math.round(budgetMs / 2 / RUNS / Math.max(performance.now() - t0, 0.01)));
  });
  const batch = (fn: () => void, n: number): number => {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    return ((performance.now() - t) * 1000) / n;
  };
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    as.push(batch(a, reps[0]!));
    bs.push(batch(b, reps[1]!));
  }
  return { aUs: median(as), bUs: median(bs), ratio: median(bs.map((x, i) => x / as[i]!)) };
}

/** Measures attention at 512 and 2048 positions on a core from attentionBenchCore (its KV pool must be empty). */
export function benchAttention(core: TestingCore, budgetMs = 800): AttentionRow[] {
  const kv = core.kv;
  if (!kv) throw new Error('benchAttention needs a core with a KV pool (attentionBenchCore)');
  const { nHead, nKvHead, headDim } = ATTENTION_SHAPE;
  const kvDim = nKvHead * headDim;
  const rnd = prng(42);
  const vec = (): Float32Array => Float32Array.from({ length: kvDim }, () => rnd() * 2 - 1);
  const seq = kv.seqCreate();
  const other = kv.seqCreate();
  for (let t = 0; t < MAX_POS; t++) {
    kv.seqAppend(seq, vec(), vec());
    kv.seqAppend(other, vec(), vec());
  }
  const alloc = (bytes: number): number => {
    const h = core.arena.alloc(bytes);
    core.arena.pin(h);
    return core.arena.ptr(h);
  };
  const q = alloc(nHead * headDim * 4);
  const out = alloc(nHead * headDim * 4);
  const scratch = alloc(core.ops.attentionScratchBytes(MAX_POS));
  new Float32Array(core.memory.buffer, q, nHead * headDim).set(Float32Array.from({ length: nHead * headDim }, () => rnd() * 2 - 1));
  const scale = 1 / Math.sqrt(headDim);
  const rows: AttentionRow[] = [];
  for (const nPos of ATTENTION_POSITIONS) {
    const t = timePair(
      () => core.ops.attention(seq, q, out, nHead, nKvHead, headDim, nPos, scale, scratch),
      () => core.testing.attentionScalar(seq, q, out, nHead, nKvHead, headDim, nPos, scale, scratch),
      budgetMs,
    );
    const kvBytes = 2 * nPos * kvDim * (kv.dtype === 'f16' ? 2 : 4);
    rows.push({
      op: 'attention',
      kv: kv.dtype,
      positions: nPos,
      nHead,
      nKvHead,
      headDim,
      simdUs: t.aUs,
      scalarUs: t.bUs,
      speedup: t.ratio,
      kvGBps: kvBytes / (t.aUs * 1e3),
    });
  }
  kv.seqFree(seq);
  kv.seqFree(other);
  return rows;
}

/** Both page types, on fresh cores. */
export async function runAttentionBench(budgetMs: number, module: CoreModuleSource): Promise<AttentionRow[]> {
  const rows: AttentionRow[] = [];
  for (const dtype of ['f16', 'f32'] as const) rows.push(...benchAttention(await attentionBenchCore(dtype, module), budgetMs));
  return rows;
}

export function formatAttentionRows(rows: AttentionRow[]): string {
  const { nHead, nKvHead, headDim } = ATTENTION_SHAPE;
  const lines = [
    `# attention per token per layer: ${nHead} heads, ${nKvHead} kv heads, headDim ${headDim}; baseline: the same op in scalar loops (same run, medians of ${RUNS})`,
    'kv   positions   simd µs   scalar µs   speedup   KV GB/s',
  ];
  for (const r of rows) {
    lines.push(
      `${r.kv}  ${String(r.positions).padStart(9)}  ${r.simdUs.toFixed(1).padStart(8)}  ${r.scalarUs.toFixed(1).padStart(10)}  ${r.speedup.toFixed(2).padStart(7)}x  ${r.kvGBps.toFixed(2).padStart(8)}`,
    );
  }
  return lines.join('\n');
}

// Run alone in Node: node dist/bench/kernels-attention.js [--json] [--smoke: a 20 ms budget per figure]
const proc = (globalThis as { process?: { argv: string[] } }).process;
if (proc?.argv[1]?.replace(/\\/g, '/').endsWith('bench/kernels-attention.js') && import.meta.url.endsWith('bench/kernels-attention.js')) {
  const { readFile } = await import('node:fs/promises');
  const module = await readFile(new URL('../../build/core.testing.wasm', import.meta.url)); // dist/bench/ → build/
  const rows = await runAttentionBench(proc.argv.includes('--smoke') ? 20 : 800, module);
  console.log(proc.argv.includes('--json') ? JSON.stringify({ bench: 'attention', rows }) : formatAttentionRows(rows));
}
