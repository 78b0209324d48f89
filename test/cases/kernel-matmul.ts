/**
 * matvec and matmul against a float64 reference over the dequantized weights (dequantization itself is checked
 * bit for bit against ggml in kernel-cases.ts), within the per-type bound documented in kernel-setup.ts
 * `reference`: float weights within f32 summation error; quantized weights within the error of quantizing the
 * activation to 8 bits per 32-element block (≤ max|x_b|/254 per unit of Σ|w|), as ggml does.
 */
import { GgmlType } from '../../src/gguf/ggml-types.ts';
import { type Cases, check, checkEq, prng } from './arena-harness.ts';
import type { CoreBuildName } from './core-builds.ts';
import { K_TYPES, randomKWeights } from './kquant-harness.ts';
import { blockMins, FLOAT_TYPES, K1_TYPES, type K1Type, type KernelCore, kernelCore, randomActivations, randomWeights, reference } from './kernel-setup.ts';

interface Problem {
  w: number;
  deq: Float32Array;
  mins?: Float64Array;
  rows: number;
  cols: number;
  x: number;
  xs: Float32Array[];
  y: number;
  work: number;
}

function problem(kc: KernelCore, type: K1Type, rows: number, cols: number, batch: number, rnd: () => number): Problem {
  const k = kc.core.kernels;
  const t = GgmlType[type];
  const bytes = randomWeights(kc, type, rows, cols, rnd);
  const w = kc.alloc(bytes.length);
  kc.bytes(w, bytes.length).set(bytes);
  const d = kc.alloc(rows * cols * 4);
  k.dequant(t, w, d, rows * cols);
  const deq = kc.f32(d, rows * cols).slice();
  const x = kc.alloc(batch * cols * 4);
  const xs: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    xs.push(randomActivations(cols, rnd));
    kc.f32(x + b * cols * 4, cols).set(xs[b]!);
  }
  return { w, deq, mins: blockMins(type, bytes, rows, cols), rows, cols, x, xs, y: kc.alloc(batch * rows * 4), work: kc.alloc(k.workBytes(t, cols, batch)) };
}

function checkAgainstReference(kc: KernelCore, type: K1Type, p: Problem, what: string): void {
  const quantized = !FLOAT_TYPES.includes(type);
  for (let b = 0; b < p.xs.length; b++) {
    const y = kc.f32(p.y + b * p.rows * 4, p.rows);
    for (let r = 0; r < p.rows; r++) {
      const { ref, bound } = reference(p.deq, r, p.xs[b]!, quantized, p.mins);
      const err = Math.abs(y[r]! - ref);
      check(err <= bound, `${type} ${what}: vector ${b} row ${r}: got ${y[r]}, f64 ${ref}, |err| ${err} > bound ${bound}`);
    }
  }
}

export function kernelMatmulCases(build: CoreBuildName): Cases {
  const cases: Cases = {};
  for (const type of K1_TYPES) {
    cases[`${type} matvec agrees with a float64 reference for odd row counts and every block count 1..16`] = async () => {
      const kc = await kernelCore(build);
      const k = kc.core.kernels;
      const rnd = prng(100 + GgmlType[type]);
      const step = FLOAT_TYPES.includes(type) ? 1 : 32;
      const shapes: [number, number][] = [];
      for (let blocks = 1; blocks <= 16; blocks++) shapes.push([3, blocks * step]);
      shapes.push([1, 8 * step], [33, 4 * step], [65, 1024], [7, 4096]);
      if (step === 1) shapes.push([5, 17], [9, 1023]);
      for (const [rows, cols] of shapes) {
        const p = problem(kc, type, rows, cols, 1, rnd);
        k.matvec(GgmlType[type], p.w, rows, cols, p.x, p.y, p.work);
        checkAgainstReference(kc, type, p, `${rows}×${cols}`);
      }
    };

    cases[`${type} matmul for every batch 1..64 equals matvec per vector and the float64 reference`] = async () => {
      const kc = await kernelCore(build);
      const k = kc.core.kernels;
      const rnd = prng(200 + GgmlType[type]);
      const rows = 37,
        cols = 256;
      const big = problem(kc, type, rows, cols, 64, rnd);
      const one = kc.alloc(rows * 4);
      const work1 = kc.alloc(k.workBytes(GgmlType[type], cols, 1));
      for (let batch = 1; batch <= 64; batch++) {
        k.matmul(GgmlType[type], big.w, rows, cols, big.x, batch, big.y, big.work);
        // the last vector of this batch, alone through matvec: the same numbers, bit for bit
        const b = batch - 1;
        k.matvec(GgmlType[type], big.w, rows, cols, big.x + b * cols * 4, one, work1);
        const got = new Uint32Array(kc.core.memory.buffer, big.y + b * rows * 4, rows);
        const want = new Uint32Array(kc.core.memory.buffer, one, rows);
        for (let r = 0; r < rows; r++) checkEq(got[r], want[r], `${type} batch ${batch} vector ${b} row ${r} (matmul vs matvec bits)`);
      }
      checkAgainstReference(kc, type, big, `${rows}×${cols} batch 64`);
    };
  }

  for (const type of K_TYPES) {
    // the dots themselves are checked against f64 and their scalar oracle in kquant-cases.ts; here the engine's
    // kMatmul (four vectors per decoded block, then one by one) must give each vector its matvec, bit for bit
    cases[`${type} matmul for every batch 1..64 equals matvec per vector, bit for bit`] = async () => {
      const kc = await kernelCore(build);
      const k = kc.core.kernels;
      const t = GgmlType[type];
      const rnd = prng(300 + t);
      const rows = 19,
        cols = 512,
        batch = 64;
      const bytes = randomKWeights(type, rows, cols, rnd, false);
      const w = kc.alloc(bytes.length);
      kc.bytes(w, bytes.length).set(bytes);
      const x = kc.alloc(batch * cols * 4);
      for (let b = 0; b < batch; b++) kc.f32(x + b * cols * 4, cols).set(randomActivations(cols, rnd));
      const y = kc.alloc(batch * rows * 4),
        work = kc.alloc(k.workBytes(t, cols, batch));
      const one = kc.alloc(rows * 4),
        work1 = kc.alloc(k.workBytes(t, cols, 1));
      for (let n = 1; n <= batch; n++) {
        k.matmul(t, w, rows, cols, x, n, y, work);
        for (const b of n >= 4 ? [0, n - 1] : [n - 1]) {
          k.matvec(t, w, rows, cols, x + b * cols * 4, one, work1);
          const got = new Uint32Array(kc.core.memory.buffer, y + b * rows * 4, rows);
          const want = new Uint32Array(kc.core.memory.buffer, one, rows);
          for (let r = 0; r < rows; r++) checkEq(got[r], want[r], `${type} batch ${n} vector ${b} row ${r} (matmul vs matvec bits)`);
          check(
            want.every((v) => (v & 0x7f800000) !== 0x7f800000),
            `${type}: finite dots`,
          );
        }
      }
    };
  }

  cases['matmul tiles rows larger than a tile and many tiles: 300 rows of 4096 Q8_0, batch 5'] = async () => {
    const kc = await kernelCore(build, 32 * 1024 * 1024);
    const p = problem(kc, 'Q8_0', 300, 4096, 5, prng(7));
    kc.core.kernels.matmul(GgmlType.Q8_0, p.w, 300, 4096, p.x, 5, p.y, p.work);
    checkAgainstReference(kc, 'Q8_0', p, '300×4096 batch 5');
  };

  cases['kernels never grow the Wasm memory'] = async () => {
    const kc = await kernelCore(build);
    const before = kc.core.memoryBytes();
    const p = problem(kc, 'Q4_0', 64, 512, 8, prng(9));
    kc.core.kernels.matmul(GgmlType.Q4_0, p.w, 64, 512, p.x, 8, p.y, p.work);
    checkEq(kc.core.memoryBytes(), before, 'memory bytes after matmul');
  };
  return cases;
}
