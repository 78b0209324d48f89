/**
 * exp(x) in plain IEEE double arithmetic (range reduction by ln 2 and a fixed
 * polynomial), so sampling does not depend on an engine's Math.exp. Relative
 * error below 1e-15; results below 2^-1022 are 0.
 */
const LOG2E = 1.4426950408889634;
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const bits = new DataView(new ArrayBuffer(8));

function pow2(k: number): number {
  bits.setUint32(0, (k + 1023) << 20);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

export function dexp(x: number): number {
  if (!(x > -708)) return x !== x ? NaN : 0;
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
  return p * pow2(k);
}
