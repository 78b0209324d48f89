/**
 * The kernels and ops the engine calls, as src/core/kernels.ts and
 * src/core/ops.ts define them: every argument a number, buffers are
 * byte pointers into the core's memory, weights are ggml type ids. Written
 * here structurally so the engine depends on the contract, not on a file.
 */
import { GgufPagerError } from '../errors.ts';
import type { Core } from '../core/core.ts';

export interface KernelApi {
  rowBytes(type: number, cols: number): number;
  workBytes(type: number, cols: number, batch: number): number;
  matvec(type: number, w: number, rows: number, cols: number, x: number, y: number, work: number): void;
  matmul(type: number, w: number, rows: number, cols: number, x: number, batch: number, y: number, work: number): void;
  /** matmul of several matrices of one type and width over one x, quantized once (q, k, v; gate and up). */
  matmulMany(type: number, cols: number, x: number, batch: number, work: number, mats: readonly { w: number; rows: number; y: number }[]): void;
  getRows(type: number, w: number, cols: number, row: number, dst: number): void;
  supports(type: number): boolean;
}

export interface OpsApi {
  rmsNorm(x: number, w: number, y: number, n: number, rows: number, eps: number): void;
  rope(
    x: number,
    nTok: number,
    nHeads: number,
    headDim: number,
    nRot: number,
    posPtr: number,
    freqBase: number,
    freqScale: number,
    mode: number,
    factorsPtr: number,
    mscale?: number,
  ): void;
  swiglu(gate: number, up: number, out: number, n: number): void;
  add(a: number, b: number, out: number, n: number): void;
  addBias(x: number, b: number, n: number, rows: number): void;
  attentionScratchBytes?(nPos: number): number;
  attentionExt(
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
  ): void;
  geglu(gate: number, up: number, out: number, n: number): void;
  softcap(x: number, cap: number, n: number): void;
  scale(x: number, s: number, n: number): void;
  layerNorm(x: number, w: number, b: number, y: number, n: number, rows: number, eps: number): void;
  gelu(x: number, y: number, n: number): void;
}

/** The core's kernels and ops, or WASM_LOAD naming what this core lacks (a core.wasm of another build). */
export function computeOf(core: Core): { kernels: KernelApi; ops: OpsApi } {
  const c = core as Core & { kernels?: KernelApi; ops?: OpsApi };
  if (!c.kernels || !c.ops) {
    throw new GgufPagerError('WASM_LOAD', `this build of the core has no ${!c.kernels ? 'kernels' : 'ops'}: generation is not available`, {});
  }
  return { kernels: c.kernels, ops: c.ops };
}
