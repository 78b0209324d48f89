/**
 * The kernels of the bert encoder, in both core builds (SIMD and Relaxed SIMD):
 * - layerNorm: SIMD = its scalar twin, and both within a few ulps of ggml_norm (mean, centered
 *   variance, 1/sqrt(var + eps)) then ·w + b computed in f64, with and without weight and bias, in place;
 * - gelu: SIMD = gegluScalar with up = 1 = ggml's f16-table GELU, bit for bit, in place.
 */
import type { Cases } from './arena-harness.ts';
import { CaseFailed } from './arena-harness.ts';
import { CORE_BUILDS, testingCoreBuild } from './core-builds.ts';
import { gegluGgml } from './ops-families.ts';
import { buf, checkClose, MiB, uniform } from './ops-setup.ts';
import { createTestingCore, type TestingCore } from './testing-core.ts';

/** A core of the test/bench build (the scalar twins are test-only kernels). */
async function coreOf(build: (typeof CORE_BUILDS)[number]): Promise<TestingCore> {
  return createTestingCore({ arenaBytes: 4 * MiB, module: await testingCoreBuild(build) });
}

/** ggml_norm · w + b in f64 (w, b undefined: none). */
function layerNormF64(x: Float32Array, n: number, eps: number, w?: Float32Array, b?: Float32Array): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / n; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[r * n + i]!;
    const mean = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[r * n + i]! - mean) ** 2;
    const k = 1 / Math.sqrt(v / n + eps);
    for (let i = 0; i < n; i++) y[r * n + i] = (x[r * n + i]! - mean) * k * (w ? w[i]! : 1) + (b ? b[i]! : 0);
  }
  return y;
}

export const opsEncoderCases: Cases = {
  async 'layerNorm: SIMD = scalar twin within 2 ulps, both near ggml_norm·w + b in f64, in both builds'() {
    for (const build of CORE_BUILDS) {
      const core = await coreOf(build);
      for (const [n, rows, eps] of [
        [384, 5, 1e-12],
        [37, 3, 1e-5],
        [4, 1, 0],
      ] as const) {
        const x = uniform(n * rows, n, -3, 5); // mean far from 0, as a residual stream
        const w = uniform(n, 2, 0.5, 1.5),
          bias = uniform(n, 3, -0.2, 0.2);
        const X = buf(core, n * rows).set(x),
          W = buf(core, n).set(w),
          B = buf(core, n).set(bias);
        const Y = buf(core, n * rows),
          Z = buf(core, n * rows);
        for (const [wp, bp] of [
          [W.ptr, B.ptr],
          [0, 0],
          [W.ptr, 0],
        ]) {
          const want = layerNormF64(x, n, eps, wp ? w : undefined, bp ? bias : undefined);
          core.ops.layerNorm(X.ptr, wp, bp, Y.ptr, n, rows, eps);
          core.testing.layerNormScalar(X.ptr, wp, bp, Z.ptr, n, rows, eps);
          const bound = (_: number, v: number): number => 1e-5 * Math.max(1, Math.abs(v));
          checkClose(Y.f32(), want, bound, `layerNorm ${build} n=${n}`);
          checkClose(Z.f32(), want, bound, `layerNormScalar ${build} n=${n}`);
          checkClose(Y.f32(), Z.f32(), (_, v) => 2 * 2 ** -23 * Math.max(1, Math.abs(v)) * 4, `layerNorm ${build} vs scalar`);
        }
        core.ops.layerNorm(X.ptr, W.ptr, B.ptr, X.ptr, n, rows, eps); // in place, as the engine calls it
        core.ops.layerNorm(Y.set(x).ptr, W.ptr, B.ptr, Z.ptr, n, rows, eps);
        for (let i = 0; i < n * rows; i++) if (!Object.is(X.f32()[i], Z.f32()[i])) throw new CaseFailed(`layerNorm ${build}: in place differs at ${i}`);
      }
    }
  },

  async "gelu: SIMD = gegluScalar with up = 1 = ggml's f16-table GELU bit for bit, in both builds"() {
    for (const build of CORE_BUILDS) {
      const core = await coreOf(build);
      const n = 4099;
      const x = uniform(n, 11, -12, 12);
      x.set([-10, 10, -10.000001, 9.999999, 0, -0, 1e-6, -3e-5, -4.5, 3.25].map(Math.fround));
      const X = buf(core, n).set(x),
        ONE = buf(core, n).set(new Float32Array(n).fill(1)),
        Y = buf(core, n),
        Z = buf(core, n);
      core.ops.gelu(X.ptr, Y.ptr, n);
      core.testing.gegluScalar(X.ptr, ONE.ptr, Z.ptr, n);
      core.ops.gelu(X.ptr, X.ptr, n);
      for (let i = 0; i < n; i++) {
        const want = Math.fround(gegluGgml(x[i]!, 1));
        for (const [got, what] of [
          [Y.f32()[i]!, 'gelu'],
          [Z.f32()[i]!, 'gegluScalar(up=1)'],
          [X.f32()[i]!, 'gelu in place'],
        ] as const) {
          if (!Object.is(got, want)) throw new CaseFailed(`${what} ${build}: element ${i} (x=${x[i]}) is ${got}, ggml's formula gives ${want}`);
        }
      }
    }
  },
};
