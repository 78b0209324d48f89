/**
 * Scalar helpers shared by the quantizers: f32 ⇄ f16 / bf16 bit conversions
 * (round to nearest, ties to even, as GGML_FP32_TO_FP16 and numpy's
 * `astype(float16)`), and ggml's `nearest_int` (round half to even through the
 * 1.5·2^23 trick, exact for |x| ≤ 2^22).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 rounding of a double: every intermediate of the ports goes through it, as C's `float` does. */
export const fr = Math.fround;

/** The f16 bits nearest to x (ties to even); NaN stays a quiet NaN, overflow is ±inf. */
export function f32ToF16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // f16 biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    if (rem > half || (rem === half && (r & 1) === 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1) === 1)) r++; // a carry rolls into the exponent (up to inf)
  return sign | r;
}

/** The value of f16 bits `h`. */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** f32 → bf16 bits as ggml_compute_fp32_to_bf16: NaN forced quiet, else round to nearest even. */
export function f32ToBf16(x: number): number {
  f32[0] = x;
  const n = u32[0];
  if ((n & 0x7fffffff) > 0x7f800000) return ((n >>> 16) | 64) & 0xffff;
  return Math.floor((n + 0x7fff + ((n >>> 16) & 1)) / 65536) & 0xffff;
}

export function bf16ToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** ggml's nearest_int: x + 1.5·2^23 in f32, so halves round to even. */
export function nearestInt(x: number): number {
  return fr(x + 12582912) - 12582912;
}
