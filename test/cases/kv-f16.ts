/**
 * f16 KV pages: appends convert f32 → f16 rounding to nearest, ties to even.
 * The reference here does not convert bits: it searches the f16 values for
 * the nearest one to x (IEEE 754 round-to-nearest-even, with 65536 standing
 * for infinity as if the exponent were unbounded).
 */
import { type Cases, check, checkEq, prng } from './arena-harness.ts';
import { testingCoreBuild } from './core-builds.ts';
import { pool } from './kv-setup.ts';
import { createTestingCore } from './testing-core.ts';

const F16_INF = 0x7c00;

/** The value of f16 bits `h` (h ≤ 0x7c00 is non-negative; 0x7c00 counts as 65536 for rounding). */
function f16Magnitude(h: number): number {
  const e = h >> 10;
  const m = h & 0x3ff;
  if (e === 0) return m * 2 ** -24;
  return (1 + m / 1024) * 2 ** (e - 15);
}

/** The f16 bits nearest to x, ties to even (reference, by search). */
export function nearestF16(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  let lo = 0;
  let hi = F16_INF; // invariant: f16Magnitude(lo) <= a < f16Magnitude(hi), or a beyond all
  if (a >= f16Magnitude(F16_INF)) return sign | F16_INF;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (f16Magnitude(mid) <= a) lo = mid;
    else hi = mid;
  }
  const dLo = a - f16Magnitude(lo);
  const dHi = f16Magnitude(hi) - a;
  const pick = dLo < dHi ? lo : dHi < dLo ? hi : (lo & 1) === 0 ? lo : hi;
  return sign | pick;
}

/** Random finite f32 values whose exponents span f16 subnormals to past its maximum. */
function randomF32s(count: number, seed: number): Float32Array {
  const rnd = prng(seed);
  const bits = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const exp = 100 + Math.floor(rnd() * 46); // 2^-27 .. 2^18
    const mant = Math.floor(rnd() * 2 ** 23);
    const sign = rnd() < 0.5 ? 0x80000000 : 0;
    bits[i] = (sign | (exp << 23) | mant) >>> 0;
  }
  return new Float32Array(bits.buffer);
}

const EDGES: Array<[number, number]> = [
  [1, 0x3c00],
  [-2, 0xc000],
  [0.5, 0x3800],
  [65504, 0x7bff],
  [65519.99, 0x7bff],
  [65520, 0x7c00],
  [2 ** -14, 0x0400],
  [2 ** -24, 0x0001],
  [2 ** -25, 0x0000],
  [1.5 * 2 ** -25, 0x0001],
  [3 * 2 ** -25, 0x0002],
  [1 + 2 ** -11, 0x3c00],
  [1 + 3 * 2 ** -11, 0x3c02],
  [-0, 0x8000],
  [0, 0],
  [Infinity, 0x7c00],
  [-Infinity, 0xfc00],
  [1e-10, 0],
  [1e10, 0x7c00],
];

export const kvF16Cases: Cases = {
  async 'converts f32 to f16 to nearest, ties to even, on edge values and 20000 random floats'() {
    const { exports } = await createTestingCore({ arenaBytes: 4096, module: await testingCoreBuild('simd') }); // f32ToF16: test/bench build only
    for (const [x, bits] of EDGES) {
      checkEq(nearestF16(Math.fround(x)), bits, `reference f16 of ${x}`);
      checkEq(exports.f32ToF16(x), bits, `core f16 of ${x}`);
    }
    const nan = exports.f32ToF16(NaN);
    check((nan & 0x7c00) === 0x7c00 && (nan & 0x3ff) !== 0, `NaN stays a NaN (0x${nan.toString(16)})`);
    for (const x of randomF32s(20000, 7)) {
      const got = exports.f32ToF16(x);
      if (got !== nearestF16(x)) checkEq(`0x${got.toString(16)}`, `0x${nearestF16(x).toString(16)}`, `f16 of ${x}`);
    }
  },

  async 'stores f16 pages as Uint16Array with appended values rounded to nearest even'() {
    const kv = await pool(4, 64, 'f16');
    checkEq(kv.dtype, 'f16', 'dtype');
    const seq = kv.seqCreate();
    const xs = randomF32s(16, 11);
    const k = xs.subarray(0, 8);
    const v = xs.subarray(8, 16);
    kv.seqAppend(seq, k, v);
    const page = kv.page(kv.seqPages(seq)[0]!);
    check(page instanceof Uint16Array, 'an f16 pool gives Uint16Array views');
    checkEq(page.length, 64, 'elements per page');
    const perPage = kv.tokensPerPage(8);
    for (let j = 0; j < 8; j++) {
      checkEq(page[j], nearestF16(k[j]!), `K[${j}] = ${k[j]}`);
      checkEq(page[perPage * 8 + j], nearestF16(v[j]!), `V[${j}] = ${v[j]}`);
    }
    kv.check();
  },

  async 'appends rows as f32ToF16 rounds them, element by element, whether a group of 8 takes the SIMD path or not'() {
    const dim = 256;
    const kv = await pool(8, 4096, 'f16');
    const seq = kv.seqCreate();
    const rows: Float32Array[] = [];
    const wild = randomF32s(dim * 3, 5); // exponents from f16 subnormals to past its maximum: most groups fall back
    rows.push(wild.subarray(0, dim), wild.subarray(dim, 2 * dim), wild.subarray(2 * dim));
    const edges = new Float32Array(dim);
    EDGES.forEach(([x], i) => {
      edges[i * 3] = x;
    }); // one edge value in an otherwise normal group, then normal values
    for (let i = 0; i < dim; i++) if (i % 3 !== 0 || i / 3 >= EDGES.length) edges[i] = Math.fround(Math.sin(i) * 300);
    rows.push(edges);
    for (let r = 0; r < 4; r++) rows.push(Float32Array.from({ length: dim }, (_, i) => Math.fround(Math.sin(i * 0.7 + r) * 10 ** ((i % 9) - 4)))); // normal halves: the SIMD path
    // ties: 1 + k·2^-11 halfway between halves, and values whose rounding carries into the exponent
    rows.push(
      Float32Array.from({ length: dim }, (_, i) => (i % 2 ? -1 : 1) * (i % 4 < 2 ? 1 + (2 * i + 1) * 2 ** -11 : 2 ** ((i % 29) - 13) * (2 - 2 ** -12))),
    );
    const perPage = kv.tokensPerPage(dim);
    for (let t = 0; t < rows.length; t++) {
      kv.seqAppend(seq, rows[t]!, rows[(t + 1) % rows.length]!);
      const page = kv.page(kv.seqPages(seq)[Math.floor(t / perPage)]!);
      const at = (t % perPage) * dim;
      for (let j = 0; j < dim; j++) {
        const x = rows[t]![j]!;
        if (page[at + j] !== nearestF16(x)) checkEq(`0x${page[at + j]!.toString(16)}`, `0x${nearestF16(x).toString(16)}`, `row ${t} K[${j}] = ${x}`);
      }
    }
    kv.check();
  },

  async 'round-trips f32 values f16 can hold exactly'() {
    const kv = await pool(2, 32, 'f16');
    const seq = kv.seqCreate();
    const k = Float32Array.from([0, 1, -1, 0.5, 2048, -65504, 2 ** -24, 0.333251953125]);
    kv.seqAppend(
      seq,
      k,
      k.map((x) => -x),
    );
    const page = kv.page(kv.seqPages(seq)[0]!);
    for (let j = 0; j < k.length; j++) {
      const h = page[j]!;
      const back = (h & 0x8000 ? -1 : 1) * f16Magnitude(h & 0x7fff);
      checkEq(back, k[j]! === 0 ? 0 : k[j], `K[${j}] back from f16 0x${h.toString(16)}`);
    }
  },
};
