// The core's exports: integers in, integers out (pointers, sizes, handles,
// status codes). See common.ts for the codes, the other files for layouts.
// Only what src/ calls is exported here; the scalar oracles, the byte-sum
// ceiling and the K-quant entry points that tests and benches call are in
// testing.ts, compiled with this file into build/core.testing*.wasm only.

export { init, initPages, attach, BLOCK_ALIGN } from './init';
export {
  arenaBasePtr, arenaAlloc, arenaFree, arenaPin, arenaUnpin, arenaPtr, arenaSize, arenaPins, arenaCompact,
} from './arena';
export { arenaStats, arenaCheck } from './arena-check';
export { kvAlloc, kvFree, kvPagePtr, kvTotalPages, kvFreePages, kvPageElems, kvElemBytes, kvPoolCheck } from './kv';
export {
  kvSeqCreate, kvSeqAppend, kvSeqLength, kvSeqPageCount, kvSeqKvDim, kvSeqFirstPage, kvNextPage,
  kvSeqFree, kvScratchPtr, kvTokensPerPage, kvSeqCheck, kvSeqDropFirst,
} from './kv-seq';
export {
  kSupports, kRowBytes, kWorkBytes, kMatvec, kMatmul, kMatmulPrepare, kMatmulRows, kGetRows, kDequant,
} from './kernels/matvec';
export {
  OK, E_NO_FIT, E_TOO_MANY_BLOCKS, E_BAD_HANDLE, E_PINNED, E_NOT_PINNED, E_PIN_OVERFLOW,
  E_INIT_ARGS, E_INIT_MEMORY, E_INIT_TWICE, E_KV_EXHAUSTED, E_KV_BAD_PAGE, E_KV_PAGE_OWNED,
  E_KV_BAD_SEQ, E_KV_BAD_DIM, E_K_SHAPE, E_K_RANGE, E_K_ALIGN, E_K_TYPE, E_CORRUPT,
} from './common';
// kernels: non-matmul ops (RMSNorm, RoPE, element-wise, attention over KV pages)
export { kRmsNorm } from './kernels/norm';
export { kRope, kRopeExt } from './kernels/rope';
export { kSoftmax, kSilu, kSwiglu, kAdd, kMul, kScale, kAddBias } from './kernels/elementwise';
export { kAttention, kAttentionScratchBytes, kAttentionExt, kAttentionHeads, kAttentionExtHeads } from './kernels/attention';
export { kGeglu, kGelu, kSoftcap } from './kernels/gelu';
export { kLayerNorm } from './kernels/layer-norm';
