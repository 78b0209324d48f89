/**
 * The kernels the gemma and phi3 families need, in both core builds (SIMD and Relaxed SIMD), each
 * against its scalar twin and against ggml's formula written here in f32
 * steps (Math.fround after each operation, as the C code rounds):
 * - geglu: ggml_vec_geglu_f32 with GGML_GELU_FP16 (GELU read from a table of f16: the argument and the
 *   value rounded to f16), ±10 clamps; bit for bit;
 * - softcap: ggml_scale(1/cap) → ggml_tanh → ggml_scale(cap); bit for bit;
 * - rope's mscale: ggml's attn_factor multiplies cos and sin (LongRoPE), partial rotary leaves the other dims;
 * - attentionExt: a window (tokens before `first` masked) across page bounds and a tanh cap on the scores,
 *   against f64 attention over the window;
 * - per-head RMSNorm: rmsNorm over rows of headDim with one headDim weight, against f64.
 */
import type { KvOptions } from '../../src/core/core.ts';
import type { Cases } from './arena-harness.ts';
import { CaseFailed } from './arena-harness.ts';
import { CORE_BUILDS, testingCoreBuild } from './core-builds.ts';
import { nearestF16 } from './kv-f16.ts';
import { buf, checkClose, f16Value, MiB, uniform } from './ops-setup.ts';
import { createTestingCore, type TestingCore } from './testing-core.ts';

const f = Math.fround;
const f16 = (x: number): number => f16Value(nearestF16(x));
const tanhf = (x: number): number => f(Math.tanh(x));

/** ggml_gelu_f32 in f32 steps: 0.5f*x*(1.0f + tanhf(SQRT_2_OVER_PI*x*(1.0f + GELU_COEF_A*x*x))). */
function geluF32(x: number): number {
  const A = f(0.044715),
    S = f(0.7978845608028654);
  const inner = f(f(S * x) * f(1 + f(f(A * x) * x)));
  return f(f(f(0.5) * x) * f(1 + tanhf(inner)));
}
/** ggml_vec_geglu_f32 (GGML_GELU_FP16): the table ggml_table_gelu_f16[f16(x)] = f16(gelu(f16 → f32)). */
export const gegluGgml = (x: number, g: number): number => f((x <= -10 ? 0 : x >= 10 ? x : f16(geluF32(f16(x)))) * g);
export const softcapGgml = (x: number, cap: number): number => f(tanhf(f(x * f(1 / cap))) * cap);

/** A core of the test/bench build (the scalar twins are test-only kernels). */
async function coreOf(build: (typeof CORE_BUILDS)[number], kv?: KvOptions): Promise<TestingCore> {
  const pageBytes = kv ? Math.ceil((kv.pageElems * 4) / 64) * 64 : 0;
  return createTestingCore({ arenaBytes: 4 * MiB + (kv ? kv.pages * pageBytes : 0), ...(kv ? { kv } : {}), module: await testingCoreBuild(build) });
}

function sameBits(got: Float32Array, want: ArrayLike<number>, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], f(want[i]!))) throw new CaseFailed(`${what}: element ${i} is ${got[i]}, ggml's formula gives ${want[i]}`);
  }
}

/** Gate values that exercise every branch: the clamps, f16 ties and subnormal halves, the whole table's range. */
function gates(n: number): Float32Array {
  const x = uniform(n, 7, -12, 12);
  const special = [-10, 10, -10.000001, 9.999999, 0, -0, 1e-6, -3e-5, 6.1e-5, -4.5, 2 ** -20, 1 + 2 ** -11, 1 + 3 * 2 ** -11, -7.99, 3.25];
  x.set(special.map(f));
  for (let i = special.length; i < n; i += 7) x[i] = f(x[i]! * 1e-3);
  return x;
}

export const opsFamilyCases: Cases = {
  async "geglu: SIMD = scalar twin = ggml's f16-table GELU bit for bit, in both builds"() {
    for (const build of CORE_BUILDS) {
      const core = await coreOf(build);
      const n = 4099;
      const g = gates(n),
        u = uniform(n, 8, -2, 2);
      const G = buf(core, n),
        U = buf(core, n).set(u),
        O = buf(core, n);
      const want = Array.from(g, (x, i) => gegluGgml(x, u[i]!));
      for (const scalar of [false, true]) {
        G.set(g);
        O.f32().fill(NaN);
        (scalar ? core.testing.gegluScalar.bind(core.testing) : core.ops.geglu.bind(core.ops))(G.ptr, U.ptr, O.ptr, n);
        sameBits(O.f32(), want, `geglu ${build}${scalar ? ' scalar' : ''}`);
      }
      core.ops.geglu(G.ptr, U.ptr, G.ptr, n); // in place, as the engine calls it
      sameBits(G.f32(), want, `geglu ${build} in place`);
    }
  },

  async "softcap: SIMD = scalar twin = ggml's scale, tanh, scale bit for bit, and the cap binds"() {
    for (const build of CORE_BUILDS) {
      const core = await coreOf(build);
      const n = 1031;
      const x = uniform(n, 9, -40, 40);
      for (const cap of [4, 30, 50]) {
        const want = Array.from(x, (v) => softcapGgml(v, cap));
        for (const scalar of [false, true]) {
          const X = buf(core, n).set(x);
          (scalar ? core.testing.softcapScalar.bind(core.testing) : core.ops.softcap.bind(core.ops))(X.ptr, cap, n);
          sameBits(X.f32(), want, `softcap ${cap} ${build}${scalar ? ' scalar' : ''}`);
          if (!(Math.max(...X.f32().map(Math.abs)) <= cap)) throw new CaseFailed(`softcap ${cap}: a value passed the cap`);
        }
      }
    }
  },

  async 'rope mscale (attn factor): cos and sin scaled, partial rotary and factors kept'() {
    for (const build of CORE_BUILDS) {
      const core = await coreOf(build);
      const [nTok, heads, headDim, nRot] = [3, 2, 64, 48];
      const x = uniform(nTok * heads * headDim, 10);
      const P = buf(core, nTok).set([]);
      P.i32().set([0, 5, 131]);
      const F = buf(core, nRot / 2).set(uniform(nRot / 2, 11, 1, 3));
      for (const mode of [0, 2] as const) {
        const A = buf(core, x.length).set(x),
          C = buf(core, x.length).set(x);
        core.ops.rope(A.ptr, nTok, heads, headDim, nRot, P.ptr, 10000, 1, mode, F.ptr);
        const m = 1.19;
        core.ops.rope(C.ptr, nTok, heads, headDim, nRot, P.ptr, 10000, 1, mode, F.ptr, m);
        const a = A.f32();
        const want = Array.from(a, (v, i) => (i % headDim < nRot ? v * m : v));
        checkClose(C.f32(), want, (_, w) => 4 * 2 ** -23 * (Math.abs(w) + 1), `rope mscale ${m} ${build} mode ${mode}`);
        sameBits(
          C.f32().filter((_, i) => i % headDim >= nRot),
          x.filter((_, i) => i % headDim >= nRot),
          'the dims past nRot',
        );
      }
    }
  },

  async 'attentionExt: a window across page bounds and a tanh cap equal f64 attention over the window; SIMD and scalar agree'() {
    const [nHead, nKvHead, headDim, tpp, length] = [8, 2, 32, 3, 20];
    const kvDim = nKvHead * headDim;
    for (const build of CORE_BUILDS) {
      const core = await coreOf(build, { pages: 8, pageElems: 2 * kvDim * tpp, dtype: 'f32', maxSequences: 2 });
      const kv = core.kv!;
      const seq = kv.seqCreate();
      const toks = Array.from({ length }, (_, t) => ({ k: uniform(kvDim, 100 + t, -2, 2), v: uniform(kvDim, 200 + t) }));
      for (const t of toks) kv.seqAppend(seq, t.k, t.v);
      const q = uniform(nHead * headDim, 12, -2, 2);
      const Q = buf(core, q.length).set(q),
        O = buf(core, q.length);
      const S = buf(core, core.ops.attentionScratchBytes(length) / 4);
      const scale = 1 / Math.sqrt(headDim);
      for (const [first, nPos, cap] of [
        [4, 20, 0],
        [7, 13, 0],
        [0, 20, 2],
        [5, 19, 1.5],
        [12, 13, 3],
      ] as const) {
        const want = new Float64Array(q.length);
        for (let h = 0; h < nHead; h++) {
          const g = Math.floor(h / (nHead / nKvHead));
          const s: number[] = [];
          for (let t = first; t < nPos; t++) {
            let d = 0;
            for (let i = 0; i < headDim; i++) d += q[h * headDim + i]! * toks[t]!.k[g * headDim + i]!;
            s.push(cap > 0 ? cap * Math.tanh((scale * d) / cap) : scale * d);
          }
          const m = Math.max(...s);
          const e = s.map((v) => Math.exp(v - m));
          const sum = e.reduce((a, b) => a + b, 0);
          for (let t = first; t < nPos; t++) for (let i = 0; i < headDim; i++) want[h * headDim + i] += (e[t - first]! / sum) * toks[t]!.v[g * headDim + i]!;
        }
        for (const scalar of [false, true]) {
          O.f32().fill(NaN);
          (scalar ? core.testing.attentionScalarExt.bind(core.testing) : core.ops.attentionExt.bind(core.ops))(
            seq,
            Q.ptr,
            O.ptr,
            nHead,
            nKvHead,
            headDim,
            first,
            nPos,
            scale,
            cap,
            S.ptr,
          );
          checkClose(O.f32(), want, () => 2e-6, `attentionExt ${build} first ${first} nPos ${nPos} cap ${cap}${scalar ? ' scalar' : ''}`);
        }
      }
      let refused = false;
      try {
        core.ops.attentionExt(seq, Q.ptr, O.ptr, nHead, nKvHead, headDim, 13, 13, scale, 0, S.ptr);
      } catch {
        refused = true;
      }
      if (!refused) throw new CaseFailed('attentionExt accepted an empty window (first = nPos)');
    }
  },

  async 'per-head RMSNorm (q/k norms): rmsNorm over rows of headDim with one headDim weight equals f64'() {
    for (const build of CORE_BUILDS) {
      const core = await coreOf(build);
      const [nTok, heads, headDim, eps] = [3, 4, 40, 1e-6];
      const x = uniform(nTok * heads * headDim, 13, -3, 3),
        w = uniform(headDim, 14, 0.5, 1.5);
      const X = buf(core, x.length).set(x),
        W = buf(core, headDim).set(w);
      core.ops.rmsNorm(X.ptr, W.ptr, X.ptr, headDim, nTok * heads, f(eps));
      const want = Array.from(x, (v, i) => {
        const r = Math.floor(i / headDim) * headDim;
        let ss = 0;
        for (let j = 0; j < headDim; j++) ss += x[r + j]! ** 2;
        return (v / Math.sqrt(ss / headDim + f(eps))) * w[i % headDim]!;
      });
      checkClose(X.f32(), want, (_, v) => 4 * 2 ** -23 * Math.abs(v) + 1e-7, `per-head rmsNorm ${build}`);
    }
  },
};
