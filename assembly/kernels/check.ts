// Argument checks shared by every kernel: the valid region, alignment, shapes.
//
//  linear memory (see init.ts)
//  ┌──────────────┬──────────────────────────┬────────────┬──────────────────────┐
//  │ AS data      │ arena (tensor blocks)    │ KV pages   │ tables (not kernels')│
//  └──────────────┴──────────────────────────┴────────────┴──────────────────────┘
//                 └──── region: [regionLo, regionHi) ─────┘
//  Every buffer a kernel reads or writes (weights, activations, outputs, work)
//  must lie inside the region: the budget the engine accounts for. Before
//  init the region is empty, so every kernel call answers E_K_RANGE.

import { OK, E_K_RANGE, E_K_ALIGN, E_K_SHAPE } from '../common';

let regionLo: usize = 0;
let regionHi: usize = 0;

/** Called once by init: the arena's base and the end of the KV pages. */
export function setKernelRegion(lo: usize, hi: usize): void {
  regionLo = lo;
  regionHi = hi;
}

export function kernelRegionLo(): usize { return regionLo; }
export function kernelRegionHi(): usize { return regionHi; }

/** f32 buffers (activations, outputs, work) start on 16 bytes, so v128 loads of them are aligned. */
// @ts-ignore: decorator
@inline export const F32_ALIGN: usize = 16;

/** Largest row length or row count a kernel accepts (2^24): keeps every byte count in 32 bits of a 32-bit memory. */
// @ts-ignore: decorator
@inline export const MAX_DIM: i32 = 1 << 24;

/** OK when [p, p + bytes) lies inside the region. */
export function checkRange(p: usize, bytes: u64): i32 {
  if (p < regionLo || <u64>p + bytes > <u64>regionHi) return E_K_RANGE;
  return OK;
}

/** OK when p is aligned for v128 f32 access and [p, p + bytes) lies inside the region. */
export function checkF32(p: usize, bytes: u64): i32 {
  if ((p & (F32_ALIGN - 1)) != 0) return E_K_ALIGN;
  return checkRange(p, bytes);
}

/** OK when 1 ≤ n ≤ MAX_DIM and n is a multiple of the block. */
export function checkDim(n: i32, block: i32): i32 {
  if (n <= 0 || n > MAX_DIM || n % block != 0) return E_K_SHAPE;
  return OK;
}
