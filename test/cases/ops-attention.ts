/**
 * Attention of one query over paged KV against a plain float64 attention.
 *
 * Pages are not contiguous: two sequences append in turns, so their pages
 * alternate in the pool; a page holds a few tokens, so a sequence spans many.
 * The reference reads the K/V values as stored (f16 pools: rounded to f16).
 * Bound (kernel arithmetic), with Vmax = max |V|, D = max_t Σ_i |q_i·k_ti|:
 *   |out − ref| ≤ Vmax · (2·δs + (nPos + 16)·2^-24),  δs = scale · (headDim + 2) · 2^-24 · D
 * (δs: an f32 dot product; softmax moves out by at most 2·δs·Vmax; then exp within 2 ulp and a
 * Σ p·V of nPos f32 terms). For f16 pools, against the unrounded f32 inputs, add the storage
 * error: Vmax · 2^-11 · (1 + 2·scale·D) + 2^-24 (each element rounded by ≤ 2^-11 relative).
 */
import type { KvDtype } from '../../src/core/kv-pool.ts';
import type { Cases } from './arena-harness.ts';
import { check, checkEq } from './arena-harness.ts';
import { nearestF16 } from './kv-f16.ts';
import { buf, checkClose, f16Value, opsCore, oracleCore, uniform } from './ops-setup.ts';
import { prng } from './prng.ts';
import type { TestingCore } from './testing-core.ts';

interface Shape {
  nHead: number;
  nKvHead: number;
  headDim: number;
}
interface Token {
  k: Float32Array;
  v: Float32Array;
}

const stored = (x: Float32Array, dtype: KvDtype): Float64Array => Float64Array.from(x, (v) => (dtype === 'f16' ? f16Value(nearestF16(v)) : v));

/** out (nHead × headDim) of plain f64 attention, and the bound's D = max_t Σ|q·k| and Vmax. */
function attentionRef(s: Shape, q: Float32Array, toks: Array<{ k: ArrayLike<number>; v: ArrayLike<number> }>, nPos: number, scale: number) {
  const ratio = s.nHead / s.nKvHead;
  const out = new Float64Array(s.nHead * s.headDim);
  let dMax = 0;
  let vMax = 0;
  for (let h = 0; h < s.nHead; h++) {
    const g = Math.floor(h / ratio);
    const sc: number[] = [];
    for (let t = 0; t < nPos; t++) {
      let dot = 0;
      let abs = 0;
      for (let i = 0; i < s.headDim; i++) {
        const p = q[h * s.headDim + i]! * toks[t]!.k[g * s.headDim + i]!;
        dot += p;
        abs += Math.abs(p);
      }
      sc.push(scale * dot);
      dMax = Math.max(dMax, abs);
    }
    const m = Math.max(...sc);
    const e = sc.map((x) => Math.exp(x - m));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let t = 0; t < nPos; t++) {
      for (let i = 0; i < s.headDim; i++) {
        const v = toks[t]!.v[g * s.headDim + i]!;
        out[h * s.headDim + i] += (e[t]! / sum) * v;
        vMax = Math.max(vMax, Math.abs(v));
      }
    }
  }
  return { out, dMax, vMax };
}

interface Setup {
  core: TestingCore;
  seqs: [number, number];
  toks: [Token[], Token[]];
}

/** Two sequences of `length` tokens appended in turns, tokensPerPage tokens a page. */
async function interleaved(s: Shape, dtype: KvDtype, length: number, tokensPerPage: number, seed: number, kScale = 1): Promise<Setup> {
  const kvDim = s.nKvHead * s.headDim;
  const pageElems = 2 * kvDim * tokensPerPage + 3; // a little padding: pages are not a power of two
  const core = await oracleCore({ pages: 2 * Math.ceil(length / tokensPerPage) + 1, pageElems, dtype, maxSequences: 4 });
  const kv = core.kv!;
  checkEq(kv.tokensPerPage(kvDim), tokensPerPage, 'tokens per page');
  const seqs: [number, number] = [kv.seqCreate(), kv.seqCreate()];
  const toks: [Token[], Token[]] = [[], []];
  for (let t = 0; t < length; t++) {
    for (const j of [0, 1]) {
      const k = uniform(kvDim, seed + 1000 * j + 2 * t, -kScale, kScale);
      const v = uniform(kvDim, seed + 1000 * j + 2 * t + 1, -1, 1);
      kv.seqAppend(seqs[j]!, k, v);
      toks[j]!.push({ k, v });
    }
  }
  const pages = kv.seqPages(seqs[0]);
  if (pages.length > 1)
    check(
      pages.some((p, i) => i > 0 && p !== pages[i - 1]! + 1),
      `pages of sequence 0 are not contiguous (${pages.join()})`,
    );
  return { core, seqs, toks };
}

/** Runs attention (SIMD, then scalar) of sequence j at nPos and checks both against f64. */
function checkAttention(st: Setup, s: Shape, dtype: KvDtype, j: 0 | 1, nPos: number, seed: number, qScale = 1): void {
  const { core } = st;
  const n = s.nHead * s.headDim;
  const scale = 1 / Math.sqrt(s.headDim);
  const q = uniform(n, seed, -qScale, qScale);
  const Q = buf(core, n).set(q);
  const O = buf(core, n);
  const S = buf(core, core.ops.attentionScratchBytes(nPos) / 4);
  const toks = st.toks[j];
  const ref = attentionRef(
    s,
    q,
    toks.map((t) => ({ k: stored(t.k, dtype), v: stored(t.v, dtype) })),
    nPos,
    Math.fround(scale),
  );
  const ds = Math.fround(scale) * (s.headDim + 2) * 2 ** -24 * ref.dMax;
  const kernelBound = ref.vMax * (2 * ds + (nPos + 16) * 2 ** -24);
  const what = `attention ${dtype} nHead ${s.nHead} nKvHead ${s.nKvHead} headDim ${s.headDim} nPos ${nPos} of ${toks.length}`;
  for (const scalar of [false, true]) {
    O.f32().fill(NaN);
    (scalar ? core.testing.attentionScalar.bind(core.testing) : core.ops.attention.bind(core.ops))(
      st.seqs[j],
      Q.ptr,
      O.ptr,
      s.nHead,
      s.nKvHead,
      s.headDim,
      nPos,
      scale,
      S.ptr,
    );
    checkClose(O.f32(), ref.out, () => kernelBound, `${what}${scalar ? ' (scalar)' : ''}`);
  }
  if (dtype === 'f16') {
    const raw = attentionRef(s, q, toks, nPos, Math.fround(scale));
    const storage = raw.vMax * 2 ** -11 * (1 + 2 * Math.fround(scale) * raw.dMax) + 2 ** -24;
    checkClose(O.f32(), raw.out, () => kernelBound + storage, `${what} against the unrounded inputs`);
  }
}

export const opsAttentionCases: Cases = {
  async 'attention over alternating pages equals f64 attention for GQA ratios 1, 2, 4, 8, f32 and f16 pools'() {
    for (const dtype of ['f32', 'f16'] as const) {
      for (const headDim of [6, 16, 64]) {
        for (const ratio of [1, 2, 4, 8]) {
          const s = { nHead: 2 * ratio, nKvHead: 2, headDim };
          const st = await interleaved(s, dtype, 17, 3, headDim * ratio);
          for (const nPos of [1, 2, 3, 4, 7, 17]) checkAttention(st, s, dtype, (nPos & 1) as 0 | 1, nPos, nPos * 31 + ratio);
        }
      }
    }
  },

  async 'a kv head with one query head (no GQA) gives the very bits of the grouped path, four tokens at a time and the rest'() {
    // the same KV in both setups (same seed and kvDim); B puts each query twice on its kv head (ratio 2, the
    // four-head path), A once (ratio 1, scores1/accumulate1). Pages of 5 tokens bound every chunk in both.
    for (const dtype of ['f32', 'f16'] as const) {
      for (const headDim of [6, 40, 64]) {
        const a = { nHead: 2, nKvHead: 2, headDim },
          b = { nHead: 4, nKvHead: 2, headDim };
        const stA = await interleaved(a, dtype, 40, 5, 11),
          stB = await interleaved(b, dtype, 40, 5, 11);
        const qa = uniform(headDim, 1),
          qc = uniform(headDim, 2);
        for (const nPos of [4, 23, 40]) {
          const scale = 1 / Math.sqrt(headDim);
          const run = (st: Setup, s: Shape, qs: Float32Array[]): Float32Array => {
            const Q = buf(st.core, s.nHead * headDim),
              O = buf(st.core, s.nHead * headDim);
            qs.forEach((q, h) => Q.f32().set(q, h * headDim));
            const S = buf(st.core, st.core.ops.attentionScratchBytes(nPos) / 4);
            st.core.ops.attention(st.seqs[0], Q.ptr, O.ptr, s.nHead, s.nKvHead, headDim, nPos, scale, S.ptr);
            return O.f32().slice();
          };
          const outA = run(stA, a, [qa, qc]),
            outB = run(stB, b, [qa, qa, qc, qc]);
          const bits = (x: Float32Array, from: number) => Array.from(new Uint32Array(x.buffer, from * 4, headDim));
          const what = `${dtype} headDim ${headDim} nPos ${nPos}`;
          checkEq(bits(outA, 0).join(), bits(outB, 0).join(), `${what}: head 0 (kv head 0)`);
          checkEq(bits(outA, headDim).join(), bits(outB, 2 * headDim).join(), `${what}: head 1 (kv head 1)`);
        }
      }
    }
  },

  async 'attention of one page, and of a prefix of the sequence (the causal nPos), reads only those tokens'() {
    for (const dtype of ['f32', 'f16'] as const) {
      const s = { nHead: 4, nKvHead: 1, headDim: 32 };
      const st = await interleaved(s, dtype, 12, 16, 5);
      checkEq(st.core.kv!.seqPages(st.seqs[0]).length, 1, 'pages of a 12-token sequence with 16 tokens a page');
      for (const nPos of [1, 5, 12]) checkAttention(st, s, dtype, 0, nPos, nPos);
    }
  },

  async 'attention stays stable and exact when the running max rises chunk after chunk (online softmax)'() {
    for (const dtype of ['f32', 'f16'] as const) {
      const s = { nHead: 8, nKvHead: 2, headDim: 16 };
      const st = await interleaved(s, dtype, 41, 5, 77, 4);
      // scores up to |q·k|·scale ≈ 16·4·8/4 = 128: e^(s − max) spans far past f32's range
      for (const nPos of [9, 23, 41]) checkAttention(st, s, dtype, 1, nPos, 500 + nPos, 8);
    }
  },

  async 'attention with more query heads per kv head than one pass takes (MQA, 32 heads on 1), and nPos below the group'() {
    const s = { nHead: 32, nKvHead: 1, headDim: 8 };
    const st = await interleaved(s, 'f32', 20, 4, 9);
    for (const nPos of [1, 5, 16, 20]) checkAttention(st, s, 'f32', 0, nPos, 40 + nPos);
  },

  async 'attention equals f64 attention on 24 random shapes (heads, widths, page sizes, nPos), seeded'() {
    const rnd = prng(2026);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    for (let i = 0; i < 24; i++) {
      const nKvHead = pick([1, 2, 3, 4]);
      const s = { nHead: nKvHead * pick([1, 2, 3, 4, 5, 8]), nKvHead, headDim: pick([2, 4, 10, 24, 40, 72]) };
      const dtype = pick(['f32', 'f16'] as const);
      const length = 1 + Math.floor(rnd() * 40);
      const st = await interleaved(s, dtype, length, pick([1, 2, 5, 7, 16]), 100 + i);
      checkAttention(st, s, dtype, (i & 1) as 0 | 1, 1 + Math.floor(rnd() * length), 300 + i, pick([1, 4]));
    }
  },

  async 'attention over one f16 token returns its V exactly, for every f16 bit pattern (the v128 f16 → f32 path)'() {
    const headDim = 1024;
    const core = await opsCore({ pages: 1, pageElems: 2 * headDim, dtype: 'f16', maxSequences: 1 });
    const kv = core.kv!;
    const seq = kv.seqCreate();
    kv.seqAppend(seq, uniform(headDim, 1), new Float32Array(headDim));
    const page = kv.page(kv.seqPages(seq)[0]!) as Uint16Array;
    const Q = buf(core, headDim).set(uniform(headDim, 2));
    const O = buf(core, headDim);
    const S = buf(core, 16);
    for (let base = 0; base < 0x10000; base += headDim) {
      for (let i = 0; i < headDim; i++) page[headDim + i] = base + i;
      core.ops.attention(seq, Q.ptr, O.ptr, 1, 1, headDim, 1, 1, S.ptr);
      const out = O.f32();
      for (let i = 0; i < headDim; i++) {
        const want = f16Value(base + i);
        const got = out[i]!;
        if (Number.isNaN(want) ? !Number.isNaN(got) : got !== want) checkEq(got, want, `V = f16 0x${(base + i).toString(16)}`);
      }
    }
  },
};
