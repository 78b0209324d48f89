/**
 * exp(x) in plain IEEE double arithmetic (range reduction by ln 2 and a fixed
 * polynomial), so sampling does not depend on an engine's Math.exp. Relative
 * error below 1e-15; results below 2^-1022 are 0.
 */
const LOG2E = 1.4426950408889634;
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 2^k for k in [-1022, 1023], built by exact doublings and halvings. */
const POW2 = (() => {
  const t = new Float64Array(2046);
  t[1022] = 1;
  for (let k = 1; k <= 1023; k++) t[1022 + k] = t[1021 + k] * 2;
  for (let k = 1; k <= 1022; k++) t[1022 - k] = t[1023 - k] / 2;
  return t;
})();

export function dexp(x: number): number {
  if (!(x > -708)) return x !== x ? NaN : 0; // k stays ≥ -1022
  if (x > 709) return Infinity;
  const k = Math.round(x * LOG2E);
  const r = x - k * LN2_HI - k * LN2_LO;
  let p = 1 / 6227020800;
  p = p * r + 1 / 479001600;
  p = p * r + 1 / 39916800;
  p = p * r + 1 / 3628800;
  p = p * r + 1 / 362880;
  p = p * r + 1 / 40320;
  p = p * r + 1 / 5040;
  p = p * r + 1 / 720;
  p = p * r + 1 / 120;
  p = p * r + 1 / 24;
  p = p * r + 1 / 6;
  p = p * r + 0.5;
  p = p * r + 1;
  p = p * r + 1;
  return p * POW2[k + 1022];
}
