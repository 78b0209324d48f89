// ggml type ids and their block geometry (ggml-common.h). A row of `cols`
// elements is cols / blockSize blocks of blockBytes bytes each, rows contiguous.

// @ts-ignore: decorator
@inline export const T_F32: i32 = 0;
// @ts-ignore: decorator
@inline export const T_F16: i32 = 1;
// @ts-ignore: decorator
@inline export const T_Q4_0: i32 = 2;
// @ts-ignore: decorator
@inline export const T_Q4_1: i32 = 3;
// @ts-ignore: decorator
@inline export const T_Q5_0: i32 = 6;
// @ts-ignore: decorator
@inline export const T_Q5_1: i32 = 7;
// @ts-ignore: decorator
@inline export const T_Q8_0: i32 = 8;
// @ts-ignore: decorator
@inline export const T_Q2_K: i32 = 10;
// @ts-ignore: decorator
@inline export const T_Q3_K: i32 = 11;
// @ts-ignore: decorator
@inline export const T_Q4_K: i32 = 12;
// @ts-ignore: decorator
@inline export const T_Q5_K: i32 = 13;
// @ts-ignore: decorator
@inline export const T_Q6_K: i32 = 14;
// @ts-ignore: decorator
@inline export const T_BF16: i32 = 30;

/** Elements of one block of the legacy quants (QK4_0 = QK4_1 = QK5_0 = QK5_1 = QK8_0). */
// @ts-ignore: decorator
@inline export const QK: i32 = 32;
/** Elements of one K-quant super-block (QK_K). */
// @ts-ignore: decorator
@inline export const QK_K: i32 = 256;

/** Elements per block of `type`, or 0 for a type the core does not know. */
export function blockSize(type: i32): i32 {
  switch (type) {
    case T_F32: case T_F16: case T_BF16: return 1;
    case T_Q4_0: case T_Q4_1: case T_Q5_0: case T_Q5_1: case T_Q8_0: return QK;
    case T_Q2_K: case T_Q3_K: case T_Q4_K: case T_Q5_K: case T_Q6_K: return QK_K;
    default: return 0;
  }
}

/** Bytes per block of `type` (ggml-common.h sizes), or 0. */
export function blockBytes(type: i32): i32 {
  switch (type) {
    case T_F32: return 4;
    case T_F16: case T_BF16: return 2;
    case T_Q4_0: return 18;  // f16 d + 16 bytes of nibbles
    case T_Q4_1: return 20;  // f16 d, f16 m + 16
    case T_Q5_0: return 22;  // f16 d + u32 qh + 16
    case T_Q5_1: return 24;  // f16 d, f16 m + u32 qh + 16
    case T_Q8_0: return 34;  // f16 d + 32 × i8
    case T_Q2_K: return 84;
    case T_Q3_K: return 110;
    case T_Q4_K: return 144;
    case T_Q5_K: return 176;
    case T_Q6_K: return 210;
    default: return 0;
  }
}

/** True for the types whose weights are dotted with f32 activations (no quantized activation). */
// @ts-ignore: decorator
@inline export function isFloat(type: i32): bool {
  return type == T_F32 || type == T_F16 || type == T_BF16;
}

/** True for the legacy 32-element quants, dotted with the act-q8.ts activation. */
// @ts-ignore: decorator
@inline export function isLegacyQuant(type: i32): bool {
  return type == T_Q4_0 || type == T_Q4_1 || type == T_Q5_0 || type == T_Q5_1 || type == T_Q8_0;
}

// @ts-ignore: decorator
@inline export function isKQuant(type: i32): bool {
  return type >= T_Q2_K && type <= T_Q6_K;
}
