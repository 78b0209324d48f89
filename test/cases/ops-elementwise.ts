/**
 * RMSNorm, softmax, SiLU, SwiGLU, add, mul, scale, bias and f16 → f32 against
 * plain float64 references. Bounds (why):
 * - add, mul, scale, addBias: bit-exact with Math.fround of the f64 result (one IEEE f32 rounding).
 * - rmsNorm: |y − ref| ≤ 4 ulp(ref): x² in f32 summed in f64, then mean, sqrt, 1/·, x·s, ·w in f32
 *   (one rounding each, as ggml).
 * - softmax: |y − ref| ≤ 2^-20·ref + 2^-24·max(ref): exp within 2 ulp, the sum in f64 (as ggml), 1/sum in f32.
 * - silu, swiglu: |y − ref| ≤ 4 ulp(ref) + 2^-126: exp within 2 ulp, then 1 + e, x / ·, · up; the
 *   absolute term covers x < −88, where e^−x overflows and y is −0 instead of a subnormal.
 * - f16ToF32: exact for all 65536 halves.
 */
import type { Cases } from './arena-harness.ts';
import { check, checkEq } from './arena-harness.ts';
import { buf, checkClose, f16Value, opsCore, oracleCore, uniform, ulp32 } from './ops-setup.ts';

const SIZES = [1, 3, 4, 7, 16, 33, 257, 4096];

function softmaxRef(x: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(x));
  const e = Array.from(x, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const siluRef = (x: number): number => x / (1 + Math.exp(-x));

export const opsElementwiseCases: Cases = {
  async 'add, mul, scale and addBias round once, like f32 arithmetic, for every length including tails'() {
    const core = await opsCore();
    for (const n of SIZES) {
      const a = uniform(n, n, -100, 100);
      const b = uniform(n, n + 1, -3, 3);
      const A = buf(core, n).set(a);
      const B = buf(core, n).set(b);
      const O = buf(core, n);
      core.ops.add(A.ptr, B.ptr, O.ptr, n);
      checkClose(
        O.f32(),
        a.map((v, i) => Math.fround(v + b[i]!)),
        () => 0,
        `add n=${n}`,
      );
      core.ops.mul(A.ptr, B.ptr, O.ptr, n);
      checkClose(
        O.f32(),
        a.map((v, i) => Math.fround(v * b[i]!)),
        () => 0,
        `mul n=${n}`,
      );
      core.ops.scale(A.ptr, 0.125 + 1 / 3, n);
      const s = Math.fround(0.125 + 1 / 3);
      checkClose(
        A.f32(),
        a.map((v) => Math.fround(v * s)),
        () => 0,
        `scale n=${n}`,
      );
      const rows = 3;
      const X = buf(core, n * rows).set(uniform(n * rows, 7 * n));
      const x0 = X.f32().slice();
      core.ops.addBias(X.ptr, B.ptr, n, rows);
      checkClose(
        X.f32(),
        x0.map((v, i) => Math.fround(v + b[i % n]!)),
        () => 0,
        `addBias n=${n} rows=${rows}`,
      );
    }
  },

  async 'add and mul work in place (out = a)'() {
    const core = await opsCore();
    const n = 37;
    const a = uniform(n, 1);
    const b = uniform(n, 2);
    const A = buf(core, n).set(a);
    const B = buf(core, n).set(b);
    core.ops.add(A.ptr, B.ptr, A.ptr, n);
    core.ops.mul(A.ptr, B.ptr, A.ptr, n);
    checkClose(
      A.f32(),
      a.map((v, i) => Math.fround(Math.fround(v + b[i]!) * b[i]!)),
      () => 0,
      'in-place add then mul',
    );
  },

  async 'rmsNorm matches x / sqrt(mean(x²) + eps) · w within 4 ulp, per row, with and without a weight'() {
    const core = await opsCore();
    for (const n of SIZES) {
      const rows = 2;
      const x = uniform(n * rows, 3 * n, -4, 4);
      const w = uniform(n, 5 * n, 0.5, 1.5);
      const X = buf(core, n * rows).set(x);
      const W = buf(core, n).set(w);
      const Y = buf(core, n * rows);
      for (const eps of [1e-5, 1e-6]) {
        core.ops.rmsNorm(X.ptr, W.ptr, Y.ptr, n, rows, eps);
        const meanSq = Array.from({ length: rows }, (_, r) => x.subarray(r * n, r * n + n).reduce((a, b) => a + b * b, 0) / n);
        const ref = Array.from(x, (v, i) => (v / Math.sqrt(meanSq[Math.floor(i / n)]! + Math.fround(eps))) * w[i % n]!);
        checkClose(Y.f32(), ref, (_, r) => 4 * ulp32(r), `rmsNorm n=${n} eps=${eps}`);
        core.ops.rmsNorm(X.ptr, 0, Y.ptr, n, rows, eps);
        checkClose(
          Y.f32(),
          ref.map((r, i) => r / w[i % n]!),
          (_, r) => 4 * ulp32(r),
          `rmsNorm without weight n=${n}`,
        );
      }
    }
  },

  async 'rmsNorm in place equals rmsNorm into another buffer'() {
    const core = await opsCore();
    const n = 100;
    const x = uniform(n, 9);
    const X = buf(core, n).set(x);
    const Y = buf(core, n);
    core.ops.rmsNorm(X.ptr, 0, Y.ptr, n, 1, 1e-6);
    core.ops.rmsNorm(X.ptr, 0, X.ptr, n, 1, 1e-6);
    checkClose(X.f32(), Y.f32(), () => 0, 'in place vs out of place');
  },

  async 'softmax is stable for large logits and matches f64 within 2^-20 relative'() {
    const core = await opsCore();
    for (const n of SIZES) {
      for (const [lo, hi] of [
        [-10, 10],
        [500, 900],
        [-1e4, 1e4],
      ] as const) {
        const rows = 2;
        const x = uniform(n * rows, n + lo, lo, hi);
        const X = buf(core, n * rows).set(x);
        core.ops.softmax(X.ptr, n, rows);
        const got = X.f32();
        for (let r = 0; r < rows; r++) {
          const ref = softmaxRef(x.subarray(r * n, r * n + n));
          const top = Math.max(...ref);
          checkClose(got.subarray(r * n, r * n + n), ref, (_, v) => 2 ** -20 * v + 2 ** -24 * top, `softmax n=${n} in [${lo}, ${hi}) row ${r}`);
        }
      }
    }
  },

  async 'silu and swiglu match x·σ(x) within 4 ulp, from −120 to 120 (exp overflow and underflow included)'() {
    const core = await opsCore();
    for (const n of SIZES) {
      const x = uniform(n, 11 * n, -120, 120);
      const up = uniform(n, 13 * n, -2, 2);
      const X = buf(core, n).set(x);
      const U = buf(core, n).set(up);
      const Y = buf(core, n);
      core.ops.silu(X.ptr, Y.ptr, n);
      checkClose(Y.f32(), Array.from(x, siluRef), (_, r) => 4 * ulp32(r) + 2 ** -120, `silu n=${n}`);
      core.ops.swiglu(X.ptr, U.ptr, Y.ptr, n);
      checkClose(
        Y.f32(),
        Array.from(x, (v, i) => siluRef(v) * up[i]!),
        (_, r) => 4 * ulp32(r) + 2 ** -120,
        `swiglu n=${n}`,
      );
    }
    const small = Float32Array.from([0, -0, 1e-30, -1e-30, 0.5, -0.5, 20, -20, 88, -88, 89, -89, 104, -104, Infinity]); // −∞ gives NaN, as ggml's x / (1 + e^−x)
    const X = buf(core, small.length).set(small);
    const Y = buf(core, small.length);
    core.ops.silu(X.ptr, Y.ptr, small.length);
    const want = Array.from(small, (v) => (v === Infinity ? Infinity : siluRef(v)));
    checkClose(Y.f32(), want, (_, r) => 4 * ulp32(r) + 2 ** -120, 'silu edge values');
    core.ops.silu(X.ptr, X.ptr, small.length);
    checkClose(X.f32(), Y.f32(), () => 0, 'silu in place');
  },

  async 'f16ToF32 decodes all 65536 halves exactly (NaN stays NaN)'() {
    const core = await oracleCore();
    for (let h = 0; h < 0x10000; h++) {
      const got = core.exports.f16ToF32(h);
      const want = f16Value(h);
      if (Number.isNaN(want)) check(Number.isNaN(got), `f16 ${h.toString(16)} is NaN, got ${got}`);
      else if (!Object.is(got, want)) checkEq(got, want, `f16 0x${h.toString(16)}`);
    }
  },
};
