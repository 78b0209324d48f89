// Layout constants and status codes shared by every file of the core.
//
// Three tiers of failure:
//   - `if (DEBUG) assert(...)` for invariants: compiled in the debug target only;
//   - a status code for a bad request: 0 = OK, a negative i32 otherwise
//     (a pointer-returning export answers 0, a size-returning one u32.MAX);
//   - `unreachable()` for what cannot happen.
// Nothing here throws: an abort would kill the instance and every tensor in it.

/** Invariant checks: on in the debug target, compiled away with `noAssert`. */
// @ts-ignore: decorator
@inline export const DEBUG: bool = !ASC_NO_ASSERT;

/** Blocks start on a 64-byte boundary: a cache line, and any v128 load is aligned. */
// @ts-ignore: decorator
@inline export const ALIGN_BITS: u32 = 6;
// @ts-ignore: decorator
@inline export const ALIGN: u32 = 1 << ALIGN_BITS;
// @ts-ignore: decorator
@inline export const ALIGN_MASK: u32 = ALIGN - 1;

/** One WebAssembly page. */
// @ts-ignore: decorator
@inline export const WASM_PAGE_BITS: u32 = 16;
// @ts-ignore: decorator
@inline export const WASM_PAGE: u64 = <u64>1 << WASM_PAGE_BITS;
/** A 32-bit memory addresses at most 4 GiB. */
// @ts-ignore: decorator
@inline export const MEMORY_LIMIT: u64 = <u64>1 << 32;

/** "No node / no page": the end of every linked list. */
// @ts-ignore: decorator
@inline export const NONE: u32 = u32.MAX_VALUE;

// Status codes. Exported as globals so the TypeScript side can check its mirror.
export const OK: i32 = 0;
export const E_NO_FIT: i32 = -1;           // no contiguous block fits, even after compaction
export const E_TOO_MANY_BLOCKS: i32 = -2;  // every handle slot is live
export const E_BAD_HANDLE: i32 = -3;       // never handed out, freed already, or stale
export const E_PINNED: i32 = -4;           // free of a pinned block
export const E_NOT_PINNED: i32 = -5;       // unpin of a block whose pin count is 0
export const E_PIN_OVERFLOW: i32 = -6;     // pin count would pass PIN_MAX
export const E_INIT_ARGS: i32 = -7;        // capacity / KV geometry invalid
export const E_INIT_MEMORY: i32 = -8;      // the memory could not be grown to the budget
export const E_INIT_TWICE: i32 = -9;       // init already ran in this instance
export const E_KV_EXHAUSTED: i32 = -10;    // no free KV page (or no free sequence slot)
export const E_KV_BAD_PAGE: i32 = -11;     // page out of range, or not in the state asked for
export const E_KV_PAGE_OWNED: i32 = -12;   // free of a page a sequence owns
export const E_KV_BAD_SEQ: i32 = -13;      // unknown or freed sequence id
export const E_KV_BAD_DIM: i32 = -14;      // K/V width 0, wider than half a page, or changed
export const E_K_SHAPE: i32 = -20;         // kernel: a dimension that does not divide the type's block, or is 0 / too large
export const E_K_RANGE: i32 = -21;         // kernel: a buffer that does not lie inside the budget (arena + KV pages)
export const E_K_ALIGN: i32 = -22;         // kernel: a buffer not aligned as the op needs
export const E_K_TYPE: i32 = -23;          // kernel: a ggml type the core has no kernel for
export const E_CORRUPT: i32 = -100;        // model check: -100 - k names the broken invariant k

/** Round `x` up to a multiple of ALIGN, in 64-bit so no request overflows. */
// @ts-ignore: decorator
@inline export function alignUp64(x: u64): u64 {
  return (x + <u64>ALIGN_MASK) & ~(<u64>ALIGN_MASK);
}
