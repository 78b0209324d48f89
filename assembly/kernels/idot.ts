// The int8 dot steps of every legacy quant kernel, in the build's instruction
// set: plain SIMD (i16x8.extmul, as ggml's wasm quants.c) or Relaxed SIMD
// (i16x8.relaxed_dot_i8x16_i7x16_s: pmaddubsw on x64, sdot-like on arm),
// chosen at compile time by the asc target (asconfig.json: `release` plain,
// `relaxed` with relaxed-simd; ASC_FEATURE_RELAXED_SIMD is a constant, the
// other branch is not compiled).
//
// Both forms give an i16x8 whose lanes sum to the 16-lane dot (the pairing of
// lanes differs, the sum does not), widened to i32x4 with one extadd_pairwise.
// Why not i32x4.relaxed_dot_i8x16_i7x16_add_s: Node 20's V8 (11.3, behind
// --experimental-wasm-relaxed-simd) computes it wrongly (2× the dot, the addend
// dropped), while the i16x8 form is right there and in Chromium; on x64 the
// i32x4 form lowers to the same pmaddubsw + pmaddwd anyway.
//
// Operand ranges (why each form is exact):
//  - activation quants a ∈ [-127, 127] (act-q8.ts);
//  - pairsU: weights q ∈ [0, 31] (nibbles, 5-bit quants): unsigned and < 128, so valid i7 lanes for the
//    relaxed dot (whose second operand must not have its top bit set); a lane holds two products,
//    |·| ≤ 2·127·31 = 7874, so two pairsU results add in i16 without overflow (15748);
//  - pairsS: weights w ∈ [-128, 127] (Q8_0): not i7, so the relaxed form splits a = a⁺ − a⁻ with
//    a⁺, a⁻ ∈ [0, 127] and subtracts the two dots in i16 (exact: the true pair sum |·| ≤ 2·128·127 = 32512
//    fits, so wrapping arithmetic lands on it).

/** i16x8 whose lanes sum to Σ a[i]·q[i] over 16 lanes (a signed, q unsigned < 128). */
// @ts-ignore: decorator
@inline export function pairsU(a: v128, q: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return i16x8.relaxed_dot_i8x16_i7x16_s(a, q);
  } else {
    return i16x8.add(i16x8.extmul_low_i8x16_s(a, q), i16x8.extmul_high_i8x16_s(a, q));
  }
}

/** i16x8 whose lanes sum to Σ w[i]·a[i] over 16 lanes (both signed; a ∈ [-127, 127]). */
// @ts-ignore: decorator
@inline export function pairsS(w: v128, a: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    const zero = i8x16.splat(0);
    const pos = i8x16.max_s(a, zero);
    const neg = i8x16.max_s(i8x16.neg(a), zero);
    return i16x8.sub(i16x8.relaxed_dot_i8x16_i7x16_s(w, pos), i16x8.relaxed_dot_i8x16_i7x16_s(w, neg));
  } else {
    return i16x8.add(i16x8.extmul_low_i8x16_s(w, a), i16x8.extmul_high_i8x16_s(w, a));
  }
}

/**
 * pairsS with the activation already split (act-q8.ts qs⁺ at ap, qs⁻ at am): in the Relaxed SIMD build two dots
 * and a subtraction, the split done once per vector instead of once per row; elsewhere pairsS of the quants at a.
 */
// @ts-ignore: decorator
@inline export function pairsSplit(w: v128, a: usize, ap: usize, am: usize): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return i16x8.sub(i16x8.relaxed_dot_i8x16_i7x16_s(w, v128.load(ap)), i16x8.relaxed_dot_i8x16_i7x16_s(w, v128.load(am)));
  } else {
    return pairsS(w, v128.load(a));
  }
}

/** The four i32 partial sums of an i16x8 of pair sums. */
// @ts-ignore: decorator
@inline export function widen(p: v128): v128 {
  return i32x4.extadd_pairwise_i16x8_s(p);
}

/** acc + (four i32 partial sums, converted) × scale: one block's share of a row's f32 dot. */
// @ts-ignore: decorator
@inline export function scaleAdd(acc: v128, sumi: v128, scale: f32): v128 {
  return f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(sumi), f32x4.splat(scale)));
}

/** Low and high nibbles of 16 bytes: elements 0..15 and 16..31 of a 32-element block. */
// @ts-ignore: decorator
@inline export function lowNibbles(v: v128): v128 {
  return v128.and(v, i8x16.splat(0x0f));
}

// @ts-ignore: decorator
@inline export function highNibbles(v: v128): v128 {
  return i8x16.shr_u(v, 4);
}

/**
 * The fifth bit of 16 quants, as 0x10 per lane: bit (first + i) of qh for lane i (first = 0 or 16).
 * Each byte of qh is spread over 8 lanes (swizzle) and tested against that lane's bit.
 */
// @ts-ignore: decorator
@inline export function highBits(qh: u32, first: i32): v128 {
  const v = i32x4.splat(<i32>(qh >>> <u32>first));
  const spread = i8x16.swizzle(v, i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
  const bits = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
  return v128.and(i8x16.eq(v128.and(spread, bits), bits), i8x16.splat(0x10));
}

/** [Σ lanes of s0, of s1, of s2, of s3]: four blocks' i32 partial sums gathered in one vector (a transpose-add). */
// @ts-ignore: decorator
@inline export function sum4(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const a = i32x4.add(i32x4.shuffle(s0, s1, 0, 1, 4, 5), i32x4.shuffle(s0, s1, 2, 3, 6, 7));
  const b = i32x4.add(i32x4.shuffle(s2, s3, 0, 1, 4, 5), i32x4.shuffle(s2, s3, 2, 3, 6, 7));
  return i32x4.add(i32x4.shuffle(a, b, 0, 2, 4, 6), i32x4.shuffle(a, b, 1, 3, 5, 7));
}

/** Sum of four i32 lanes. */
// @ts-ignore: decorator
@inline export function hsumI32(v: v128): i32 {
  const p = i32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return i32x4.extract_lane(p, 0) + i32x4.extract_lane(p, 1);
}
