/**
 * The Wasm core's exports, as TypeScript sees them (types only, like comlink's
 * protocol.ts). Integers in, integers out; a u32 result over 2^31 arrives as a
 * negative number, so pointers and sizes are read with `>>> 0`.
 * Layouts and meanings: assembly/*.ts.
 *
 * Exactly the production builds' exports (assembly/index.ts), status globals aside (status.ts
 * mirrors those); test/unit/core-exports.test.ts holds the two equal. The scalar oracles and other
 * test-only kernels exist only in the test/bench build (assembly/testing.ts), typed in
 * test/cases/testing-core.ts as TestingCoreExports.
 */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  readonly BLOCK_ALIGN: WebAssembly.Global;
  init(budget: number, maxBlocks: number, kvPages: number, kvPageElems: number, kvElemBytes: number, maxSeqs: number): number;
  /** Wasm pages init needs with these arguments (the shared build's fixed memory size), or a negative status. */
  initPages(budget: number, maxBlocks: number, kvPages: number, kvPageElems: number, kvElemBytes: number, maxSeqs: number): number;
  /** A compute thread's instance on a memory init'ed with the same arguments: sets its globals only. */
  attach(budget: number, maxBlocks: number, kvPages: number, kvPageElems: number, kvElemBytes: number, maxSeqs: number, thread: number): number;

  arenaBasePtr(): number;
  arenaAlloc(size: number, maxMoveBytes: number): number;
  arenaFree(h: number): number;
  arenaPin(h: number): number;
  arenaUnpin(h: number): number;
  arenaPtr(h: number): number;
  arenaSize(h: number): number;
  arenaPins(h: number): number;
  arenaCompact(): number;
  arenaStats(): number;
  arenaCheck(): number;

  kvAlloc(): number;
  kvFree(page: number): number;
  kvPagePtr(page: number): number;
  kvTotalPages(): number;
  kvFreePages(): number;
  kvPageElems(): number;
  kvElemBytes(): number;
  kvPoolCheck(): number;
  kvSeqCreate(): number;
  kvSeqAppend(seq: number, kvDim: number): number;
  kvSeqLength(seq: number): number;
  kvSeqPageCount(seq: number): number;
  kvSeqKvDim(seq: number): number;
  kvSeqFirstPage(seq: number): number;
  kvNextPage(page: number): number;
  kvSeqFree(seq: number): number;
  kvScratchPtr(): number;
  kvTokensPerPage(kvDim: number): number;
  kvSeqCheck(): number;
  kvSeqDropFirst(seq: number): number;

  // kernels: non-matmul ops (assembly/kernels/{norm,rope,elementwise,attention}.ts); pointers are byte offsets
  kRmsNorm(x: number, w: number, y: number, n: number, rows: number, eps: number): number;
  kRope(
    x: number,
    nTok: number,
    nHeads: number,
    headDim: number,
    nRot: number,
    pos: number,
    freqBase: number,
    freqScale: number,
    mode: number,
    factors: number,
  ): number;
  kSoftmax(x: number, n: number, rows: number): number;
  kSilu(x: number, y: number, n: number): number;
  kSwiglu(gate: number, up: number, out: number, n: number): number;
  kAdd(a: number, b: number, out: number, n: number): number;
  kMul(a: number, b: number, out: number, n: number): number;
  kScale(x: number, s: number, n: number): number;
  kAddBias(x: number, b: number, n: number, rows: number): number;
  kAttention(seq: number, q: number, out: number, nHead: number, nKvHead: number, headDim: number, nPos: number, scale: number, scratch: number): number;
  /** kAttention for query heads [hLo, hHi) only, with the same bits per head (a thread's share). */
  kAttentionHeads(
    seq: number,
    q: number,
    out: number,
    nHead: number,
    nKvHead: number,
    headDim: number,
    nPos: number,
    scale: number,
    scratch: number,
    hLo: number,
    hHi: number,
  ): number;
  kAttentionExtHeads(
    seq: number,
    q: number,
    out: number,
    nHead: number,
    nKvHead: number,
    headDim: number,
    first: number,
    nPos: number,
    scale: number,
    cap: number,
    scratch: number,
    hLo: number,
    hHi: number,
  ): number;
  kAttentionScratchBytes(nPos: number): number;
  kRopeExt(
    x: number,
    nTok: number,
    nHeads: number,
    headDim: number,
    nRot: number,
    pos: number,
    freqBase: number,
    freqScale: number,
    mode: number,
    factors: number,
    mscale: number,
  ): number;
  kAttentionExt(
    seq: number,
    q: number,
    out: number,
    nHead: number,
    nKvHead: number,
    headDim: number,
    first: number,
    nPos: number,
    scale: number,
    cap: number,
    scratch: number,
  ): number;
  kGeglu(gate: number, up: number, out: number, n: number): number;
  kGelu(x: number, y: number, n: number): number;
  kLayerNorm(x: number, w: number, b: number, y: number, n: number, rows: number, eps: number): number;
  kSoftcap(x: number, cap: number, n: number): number;
  // weight kernels (assembly/kernels/matvec.ts; the K-quants dispatch from there by type id)
  kSupports(type: number): number;
  kRowBytes(type: number, cols: number): number;
  kWorkBytes(type: number, cols: number, batch: number): number;
  kMatvec(type: number, w: number, rows: number, cols: number, x: number, y: number, work: number): number;
  kMatmul(type: number, w: number, rows: number, cols: number, x: number, batch: number, y: number, work: number): number;
  /** The checks and activation quantization of kMatmul; then kMatmulRows per thread. */
  kMatmulPrepare(type: number, w: number, rows: number, cols: number, x: number, batch: number, y: number, work: number): number;
  kMatmulRows(type: number, w: number, rows: number, cols: number, x: number, batch: number, y: number, work: number, r0: number, r1: number): number;
  kGetRows(type: number, w: number, cols: number, row: number, dst: number): number;
  kDequant(type: number, src: number, dst: number, n: number): number;
}
