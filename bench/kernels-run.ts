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
  ['Q2_K', 10, [80, 82], 84, 256],
  ['Q3_K', 11, [108], 110, 256],
  ['Q4_K', 12, [0, 2], 144, 256],
  ['Q5_K', 13, [0, 2], 176, 256],
  ['Q6_K', 14, [208], 210, 256],
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
  build: string;
  type: string;
  rows: number;
  cols: number;
  weightBytes: number;
  /** GB/s of weight bytes: the v128 byte-sum over the same bytes, matvec, the scalar matvec. */
  ceilingGBs: number;
  matvecGBs: number;
  scalarGBs: number;
  /** matvec speed / ceiling and matvec speed / scalar speed (medians of per-round ratios). */
  vsCeiling: number;
  vsScalar: number;
  /** matmul effective weight-GB/s per token (weight bytes × batch / time), by batch; and that over matvec's. */
  matmulGBs: Record<string, number>;
  matmulVsMatvec: Record<string, number>;
}

export interface AttentionRow {
  build: string;
  positions: number;
  usPerToken: number;
}

export async function runKernelBench(
  builds: { name: string; bytes: Uint8Array }[],
  config: BenchConfig,
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
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const median = (a: number[]): number => a.slice().sort((p, q) => p - q)[a.length >> 1]!;
  /**
   * Median seconds of one call of each fn. The fns are timed in interleaved rounds (each round runs every fn for
   * ≥ sampleMs), so a slowdown from other processes hits the op and its baselines alike; ratios are then taken
   * per round (ratio(i, j): median over rounds of t_j / t_i).
   */
  const timeRounds = (fns: (() => void)[]): { t: number[]; ratio(i: number, j: number): number } => {
    const reps = fns.map((fn) => {
      const t0 = performance.now();
      fn();
      return Math.max(1, Math.ceil(config.sampleMs / Math.max(performance.now() - t0, 0.01)));
    });
    const rounds: number[][] = [];
    for (let s = 0; s < config.samples; s++) {
      rounds.push(
        fns.map((fn, i) => {
          const t = performance.now();
          for (let r = 0; r < reps[i]!; r++) fn();
          return (performance.now() - t) / reps[i]! / 1000;
        }),
      );
    }
    return {
      t: fns.map((_, i) => median(rounds.map((r) => r[i]!))),
      ratio: (i, j) => median(rounds.map((r) => r[j]! / r[i]!)),
    };
  };

  for (const build of builds) {
    const module = await WebAssembly.compile(build.bytes as BufferSource);
    const inst = await WebAssembly.instantiate(module, {
      env: {
        abort: () => {
          throw new Error('core aborted');
        },
      },
    });
    const x = inst.exports as unknown as X;
    // The activation scratch the core says each type needs (its layout changes: a guess here went stale once).
    let act = 4096;
    for (const [name, id] of config.types) {
      for (const [, nc] of config.shapes) {
        const need = x.kWorkBytes!(id, nc, maxBatch);
        if (need < 0) throw new Error(`${name} work bytes for ${nc} columns × ${maxBatch}: status ${need}`);
        act = Math.max(act, need);
      }
    }
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
    const check = (r: number, what: string): void => {
      if (r < 0) throw new Error(`${what}: status ${r}`);
    };

    for (const [name, id, scales, bb, bs] of config.types) {
      for (const [nr, nc] of config.shapes) {
        const bytes = nr * (nc / bs) * bb;
        // weights: random quants with sane f16 scales (no NaN, no subnormal products); floats in ±[0.5, 2)
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
        const ops = [
          () => check(x.kByteSum!(w, bytes), 'byte sum'),
          () => check(x.kMatvec!(id, w, nr, nc, xv, yv, work), `${name} matvec`),
          () => check(x.kMatvecScalar!(id, w, nr, nc, xv, yv, work), `${name} scalar matvec`),
          ...config.batches.map((batch) => () => check(x.kMatmul!(id, w, nr, nc, xv, batch, yv, work), `${name} matmul ${batch}`)),
        ];
        const m = timeRounds(ops);
        const matmulGBs: Record<string, number> = {},
          matmulVsMatvec: Record<string, number> = {};
        config.batches.forEach((batch, i) => {
          matmulGBs[String(batch)] = (bytes * batch) / m.t[3 + i]! / 1e9;
          matmulVsMatvec[String(batch)] = m.ratio(3 + i, 1) * batch;
        });
        rows.push({
          build: build.name,
          type: name,
          rows: nr,
          cols: nc,
          weightBytes: bytes,
          ceilingGBs: bytes / m.t[0]! / 1e9,
          matvecGBs: bytes / m.t[1]! / 1e9,
          scalarGBs: bytes / m.t[2]! / 1e9,
          vsCeiling: m.ratio(1, 0),
          vsScalar: m.ratio(1, 2),
          matmulGBs,
          matmulVsMatvec,
        });
      }
    }
    // Attention rows: measured in Node by bench/kernels-attention.ts (K3's kAttention over KV pages), see kernels.bench.ts.
  }
  return { rows, attention };
}
