// float32 → float16 (IEEE 754 binary16), rounding to nearest, ties to even.
//
//  f32  ┌───┬──────────┬─────────────────────────┐   f16  ┌───┬───────┬────────────┐
//       │ s │ exp (8)  │ mantissa (23)           │        │ s │ e (5) │ mant (10)  │
//       └───┴──────────┴─────────────────────────┘        └───┴───────┴────────────┘
//  bias 127 → 15; the 13 low mantissa bits are rounded away (more below 2^-14,
//  where the half is subnormal). A carry out of the mantissa bumps the exponent,
//  which is exactly right, up to infinity.

// @ts-ignore: decorator
@inline const F32_MANT_BITS: u32 = 23;
// @ts-ignore: decorator
@inline const F16_MANT_BITS: u32 = 10;
// @ts-ignore: decorator
@inline const DROP: u32 = F32_MANT_BITS - F16_MANT_BITS; // 13
// @ts-ignore: decorator
@inline const F16_INF: u32 = 0x7c00;
// @ts-ignore: decorator
@inline const F16_QUIET: u32 = 0x0200;
// @ts-ignore: decorator
@inline const BIAS_DELTA: i32 = 127 - 15;

/** Round away `shift` low bits of `m`, to nearest, ties to even. */
// @ts-ignore: decorator
@inline function roundShift(m: u32, shift: u32): u32 {
  const kept = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const half: u32 = 1 << (shift - 1);
  return kept + <u32>(rest > half || (rest == half && (kept & 1) != 0));
}

export function f32ToF16(x: f32): u16 {
  const b = reinterpret<u32>(x);
  const sign = (b >>> 16) & 0x8000;
  const exp = <i32>((b >>> F32_MANT_BITS) & 0xff);
  const mant = b & ((1 << F32_MANT_BITS) - 1);
  if (exp == 0xff) return <u16>(sign | F16_INF | (mant != 0 ? F16_QUIET | (mant >>> DROP) : 0));
  const e = exp - BIAS_DELTA;
  if (e >= 0x1f) return <u16>(sign | F16_INF);
  if (e > 0) return <u16>(sign | roundShift((<u32>e << F32_MANT_BITS) | mant, DROP));
  // below the smallest normal half: a subnormal half, or zero (under half of 2^-24)
  if (e < -<i32>F16_MANT_BITS) return <u16>sign;
  return <u16>(sign | roundShift(mant | (1 << F32_MANT_BITS), DROP + 1 - <u32>e));
}

// float16 → float32, exact. The 15 magnitude bits shifted into place read as
// an f32 that is 2^112 too small (a normal half becomes a normal f32, a
// subnormal half a subnormal f32); one multiply by 2^112 rescales both. Inf
// and NaN (exponent 31) keep their mantissa under an all-ones exponent.
// @ts-ignore: decorator
@inline const F32_EXP: u32 = 0x7f800000;
// @ts-ignore: decorator
@inline const TWO_112: u32 = 0x77800000; // 2^112 as f32 bits

export function f16ToF32(h: u16): f32 {
  const sign = (<u32>h & 0x8000) << 16;
  const em = <u32>h & 0x7fff;
  if (em >= F16_INF) return reinterpret<f32>(sign | F32_EXP | (em << DROP));
  return reinterpret<f32>(sign | reinterpret<u32>(reinterpret<f32>(em << DROP) * reinterpret<f32>(TWO_112)));
}

/**
 * f16ToF32 on four halves sign-extended into 32-bit lanes (v128.load16x4_s):
 * shifted left by 13, a lane holds the magnitude bits in place and copies of
 * the sign in bits 28..31; masking bits 28..30 leaves sign | magnitude << 13.
 */
// @ts-ignore: decorator
@inline export function f16x4ToF32x4(h: v128): v128 {
  const x = i32x4.shl(h, DROP);
  const finite = f32x4.mul(v128.and(x, i32x4.splat(0x8fffffff)), f32x4.splat(reinterpret<f32>(TWO_112)));
  const expBits = i32x4.splat(<i32>(F16_INF << DROP));
  const special = i32x4.eq(v128.and(x, expBits), expBits);
  return v128.or(finite, v128.and(special, i32x4.splat(F32_EXP)));
}
