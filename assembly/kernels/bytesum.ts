// The bench's memory-bandwidth ceiling: stream n bytes through v128 loads and
// sum them, with as little arithmetic per byte as a correct sum allows.
//
//  per 64 bytes: 4 loads, 4 i16x8.extadd_pairwise_i8x16_u into two u16 accumulators;
//  every 32 × 64 bytes (each u16 lane ≤ 32·2·2·255 = 32640 < 65536) widen them into u32 lanes.

import { E_K_SHAPE } from '../common';
import { checkRange } from './check';
import { hsumI32 } from './idot';

// @ts-ignore: decorator
@inline const CHUNK: i32 = 32 * 64;

/** Σ of the n bytes at p, mod 2^31 (non-negative), or a negative status. */
export function kByteSum(p: usize, n: i32): i32 {
  if (n < 0) return E_K_SHAPE;
  const r = checkRange(p, <u64>n);
  if (r != 0) return r;
  let acc = i32x4.splat(0);
  let i = 0;
  for (; i + CHUNK <= n; i += CHUNK) {
    let a0 = i16x8.splat(0), a1 = i16x8.splat(0);
    for (let e = p + <usize>i, end = e + <usize>CHUNK; e < end; e += 64) {
      a0 = i16x8.add(a0, i16x8.extadd_pairwise_i8x16_u(v128.load(e)));
      a1 = i16x8.add(a1, i16x8.extadd_pairwise_i8x16_u(v128.load(e, 16)));
      a0 = i16x8.add(a0, i16x8.extadd_pairwise_i8x16_u(v128.load(e, 32)));
      a1 = i16x8.add(a1, i16x8.extadd_pairwise_i8x16_u(v128.load(e, 48)));
    }
    acc = i32x4.add(acc, i32x4.add(i32x4.extadd_pairwise_i16x8_u(a0), i32x4.extadd_pairwise_i16x8_u(a1)));
  }
  let sum = <u32>hsumI32(acc);
  for (; i < n; i++) sum += <u32>load<u8>(p + <usize>i);
  return <i32>(sum & 0x7fffffff);
}
