/**
 * exp(x) in plain IEEE double arithmetic, so sampling does not depend on an
 * engine's Math.exp: x = (64m + j)·ln2/64 + r with |r| ≤ ln2/128, then
 * 2^m · 2^(j/64) · (a degree-6 polynomial in r). The 64 constants 2^(j/64) are
 * computed at load by the same fixed arithmetic (a degree-13 polynomial), so
 * every engine builds the same table. Relative error below 1e-14; 0 below e^-708.
 */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const INV_STEP = 64 / Math.LN2;

/** 2^k for k in [-1022, 1023], by exact doublings and halvings. */
const POW2 = (() => {
  const t = new Float64Array(2046);
  t[1022] = 1;
  for (let k = 1; k <= 1023; k++) t[1022 + k] = t[1021 + k] * 2;
  for (let k = 1; k <= 1022; k++) t[1022 - k] = t[1023 - k] / 2;
  return t;
})();

/** exp(r) for |r| ≤ ln2: degree-13 Taylor polynomial (table building only). */
function expSmall(r: number): number {
  let p = 1 / 6227020800;
  for (const c of [1 / 479001600, 1 / 39916800, 1 / 3628800, 1 / 362880, 1 / 40320, 1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1]) p = p * r + c;
  return p;
}

/** 2^(j/64), j = 0…63. */
const FRAC = Float64Array.from({ length: 64 }, (_, j) => expSmall((j * LN2_HI) / 64 + (j * LN2_LO) / 64));

export function dexp(x: number): number {
  if (!(x > -708)) return x !== x ? NaN : 0;
  if (x > 709) return Infinity;
  const k = Math.floor(x * INV_STEP + 0.5);
  const r = x - k * (LN2_HI / 64) - k * (LN2_LO / 64);
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  return POW2[(k >> 6) + 1022] * FRAC[k & 63] * p;
}

/** e^-x for x ≥ 0 by a table of e^-(b/64) (b < 64·40) and a degree-5 polynomial in r = x − b/64 ∈ [0, 1/64): relative error < 1e-11, a fraction of dexp's cost; dexp beyond. */
const NEG_STEPS = 64;
const NEG_TABLE = Float64Array.from({ length: 40 * NEG_STEPS }, (_, b) => dexp(-b / NEG_STEPS));
export function dexpNeg(x: number): number {
  if (!(x >= 0 && x < 40)) return dexp(-x);
  const b = (x * NEG_STEPS) | 0;
  const r = x - b / NEG_STEPS;
  return NEG_TABLE[b] * (1 - r * (1 - r * (0.5 - r * (1 / 6 - r * (1 / 24 - r * (1 / 120))))));
}
