/**
 * The body of the kernel benchmark (bench/kernels.bench.ts): one self-contained function, so the same code runs in
 * Node and, serialized through Playwright's page.evaluate, in a headless Chromium page. It references nothing
 * outside itself: only WebAssembly, performance.now and its arguments.
 */

/** One weight type: name, ggml id, byte offsets of its f16 scale fields in a block, block bytes, block elements. */
export type BenchType = readonly [name: string, id: number, scales: readonly number[], blockBytes: number, blockSize: number];

/** The types measured, in order. Adding a type (the K-quants at merge) is one line. */
export const BENCH_TYPES: readonly BenchType[] = [
  ['F32', 0, [], 4, 1],
  ['F16', 1, [], 2, 1],
  ['BF16', 30, [], 2, 1],
  ['Q8_0', 8, [0], 34, 32],
  ['Q4_0', 2, [0], 18, 32],
  ['Q4_1', 3, [0, 2], 20, 32],
  ['Q5_0', 6, [0], 22, 32],
  ['Q5_1', 7, [0, 2], 24, 32],
  // K-quants, wired at merge: kquants —
  // ['Q2_K', 10, [80, 82], 84, 256], ['Q3_K', 11, [108], 110, 256], ['Q4_K', 12, [0, 2], 144, 256],
  // ['Q5_K', 13, [0, 2], 176, 256], ['Q6_K', 14, [208], 210, 256],
];

export interface BenchConfig {
  types: readonly BenchType[];
  /** [rows, cols] of each weight matrix. */
  shapes: readonly (readonly [number, number])[];
  batches: readonly number[];
  /** Minimum time of one sample, ms, and samples per figure (the median is reported). */
  sampleMs: number;
  samples: number;
}

export interface BenchRow {
  build: string; type: string; rows: number; cols: number; weightBytes: number;
  /** GB/s of weight bytes: the v128 byte-sum over the same bytes, matvec, the scalar matvec. */
  ceilingGBs: number; matvecGBs: number; scalarGBs: number;
  /** matmul effective weight-GB/s per token (weight bytes × batch / time), by batch. */
  matmulGBs: Record<string, number>;
}

export interface AttentionRow { build: string; positions: number; usPerToken: number }

export async function runKernelBench(
  builds: { name: string; bytes: Uint8Array }[], config: BenchConfig,
): Promise<{ rows: BenchRow[]; attention: AttentionRow[] }> {
  type X = Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
  const rows: BenchRow[] = [];
  const attention: AttentionRow[] = [];
  const maxCols = Math.max(...config.shapes.map((s) => s[1]));
  const maxRows = Math.max(...config.shapes.map((s) => s[0]));
  const maxBatch = Math.max(1, ...config.batches);
  let maxWeight = 0;
  for (const [, , , bb, bs] of config.types) for (const [r, c] of config.shapes) maxWeight = Math.max(maxWeight, r * (c / bs) * bb);

  let seed = 0x9e3779b9;
  const rnd = (): number => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return seed >>> 0;
  };
  const median = (a: number[]): number => a.slice().sort((p, q) => p - q)[a.length >> 1]!;
  /** Median seconds of one call of fn, each sample repeating it for ≥ sampleMs. */
  const time = (fn: () => void): number => {
    const t0 = performance.now();
    fn();
    const once = Math.max(performance.now() - t0, 0.01);
    const reps = Math.max(1, Math.ceil(config.sampleMs / once));
    const out: number[] = [];
    for (let s = 0; s < config.samples; s++) {
      const t = performance.now();
      for (let i = 0; i < reps; i++) fn();
      out.push((performance.now() - t) / reps / 1000);
    }
    return median(out);
  };

  for (const build of builds) {
    const module = await WebAssembly.compile(build.bytes as BufferSource);
    const inst = await WebAssembly.instantiate(module, { env: { abort: () => { throw new Error('core aborted'); } } });
    const x = inst.exports as unknown as X;
    const act = maxBatch * (maxCols + maxCols / 4 + 64) + 4096;
    const budget = Math.ceil((maxWeight + maxBatch * maxCols * 4 + maxBatch * maxRows * 4 + act + 8 * 65536) / 65536) * 65536;
    if (x.init!(budget, 64, 0, 0, 4, 1) !== 0) throw new Error(`init(${budget}) failed`);
    const alloc = (bytes: number): number => {
      const h = x.arenaAlloc!(bytes, 0);
      if (h < 0) throw new Error(`arena: no room for ${bytes} bytes`);
      x.arenaPin!(h);
      return x.arenaPtr!(h) >>> 0;
    };
    const w = alloc(maxWeight);
    const xv = alloc(maxBatch * maxCols * 4);
    const yv = alloc(maxBatch * maxRows * 4);
    const work = alloc(act);
    const xf = new Float32Array(x.memory.buffer, xv, maxBatch * maxCols);
    for (let i = 0; i < xf.length; i++) xf[i] = (rnd() / 2 ** 32) * 2 - 1;
    const check = (r: number, what: string): void => { if (r < 0) throw new Error(`${what}: status ${r}`); };

    for (const [name, id, scales, bb, bs] of config.types) {
      for (const [nr, nc] of config.shapes) {
        const bytes = nr * (nc / bs) * bb;
        // weights: random quants with sane f16 scales (no NaN, no subnormal products); floats in ±[0.5, 2)
        const u8 = new Uint8Array(x.memory.buffer, w, bytes);
        const u32 = new Uint32Array(x.memory.buffer, w, bytes >>> 2);
        for (let i = 0; i < u32.length; i++) u32[i] = rnd();
        const u16 = new Uint16Array(x.memory.buffer, w, bytes >>> 1);
        if (name === 'F32') {
          const f = new Float32Array(x.memory.buffer, w, bytes >>> 2);
          for (let i = 0; i < f.length; i++) f[i] = (rnd() / 2 ** 32) * 2 - 1;
        } else if (name === 'F16') {
          for (let i = 0; i < u16.length; i++) u16[i] = (u16[i]! & 0x83ff) | 0x3800;
        } else if (name === 'BF16') {
          for (let i = 0; i < u16.length; i++) u16[i] = (u16[i]! & 0x807f) | 0x3f00;
        } else {
          const dv = new DataView(x.memory.buffer, w, bytes);
          for (let b = 0; b < bytes; b += bb) for (const off of scales) dv.setUint16(b + off, 0x2000 | (rnd() & 0x3ff), true);
        }
        void u8;
        const ceiling = time(() => check(x.kByteSum!(w, bytes), 'byte sum'));
        const simd = time(() => check(x.kMatvec!(id, w, nr, nc, xv, yv, work), `${name} matvec`));
        const scalar = time(() => check(x.kMatvecScalar!(id, w, nr, nc, xv, yv, work), `${name} scalar matvec`));
        const matmulGBs: Record<string, number> = {};
        for (const batch of config.batches) {
          const t = time(() => check(x.kMatmul!(id, w, nr, nc, xv, batch, yv, work), `${name} matmul ${batch}`));
          matmulGBs[String(batch)] = (bytes * batch) / t / 1e9;
        }
        rows.push({
          build: build.name, type: name, rows: nr, cols: nc, weightBytes: bytes,
          ceilingGBs: bytes / ceiling / 1e9, matvecGBs: bytes / simd / 1e9, scalarGBs: bytes / scalar / 1e9, matmulGBs,
        });
      }
    }
    // Attention rows (K3's kAttention over KV pages, 512 and 2048 cached positions): wired at merge: ops.
    const attentionRows = (): AttentionRow[] => [];
    attention.push(...attentionRows());
  }
  return { rows, attention };
}
