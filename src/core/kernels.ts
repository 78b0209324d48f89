/**
 * The Wasm core's weight kernels (assembly/kernels/) behind typed methods:
 * numbers in (byte pointers into `core.memory`, ggml type ids, sizes), and a
 * GgufPagerError with a KERNEL_* code naming the op, type and shape when the
 * core answers a negative status. Every buffer must lie in the budget (arena
 * blocks or KV pages); f32 buffers and `work` are 16-byte aligned.
 */
import { GgmlType, ggmlTypeInfo } from '../gguf/ggml-types.ts';
import { GgufPagerError, type ErrorCode } from '../errors.ts';
import type { CoreExports } from './exports.ts';
import { Status } from './status.ts';
import type { MatmulPart, Parallel } from './threads/parallel.ts';

export const typeName = (type: number): string => ggmlTypeInfo(type)?.name ?? `type ${type}`;

/** The K-quant types, listed here once their kernels are wired in. */
const KQUANT_TYPES: readonly number[] = [GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K];

/** Weight types the kernels compute. */
export const SUPPORTED_TYPES: ReadonlySet<number> = new Set([
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q4_0,
  GgmlType.Q4_1,
  GgmlType.Q5_0,
  GgmlType.Q5_1,
  GgmlType.Q8_0,
  ...KQUANT_TYPES,
]);

export interface UnsupportedTensor {
  name: string;
  type: number;
  typeName: string;
}

/**
 * The tensors of a model whose type has no kernel (IQ*, TQ*, MXFP4, …), in order; empty when every tensor is
 * computable; unsupportedTensorsError makes the error for such a list. Only the kernel tests use the two: the
 * engine's load check (engine/tensor-check.ts) is its own.
 * @internal not part of the package's API
 */
export function unsupportedTensors(
  tensors: Iterable<{ name: string; type: number; typeName?: string }>,
  supported: ReadonlySet<number> = SUPPORTED_TYPES,
): UnsupportedTensor[] {
  const out: UnsupportedTensor[] = [];
  for (const t of tensors) {
    if (!supported.has(t.type)) out.push({ name: t.name, type: t.type, typeName: t.typeName ?? typeName(t.type) });
  }
  return out;
}

/**
 * UNSUPPORTED_TENSOR_TYPE naming the first few tensors and every distinct type.
 * @internal not part of the package's API
 */
export function unsupportedTensorsError(list: readonly UnsupportedTensor[], model = 'model'): GgufPagerError {
  const types = [...new Set(list.map((t) => t.typeName))];
  const shown = list
    .slice(0, 3)
    .map((t) => `${t.name} (${t.typeName})`)
    .join(', ');
  const more = list.length > 3 ? ` and ${list.length - 3} more` : '';
  return new GgufPagerError('UNSUPPORTED_TENSOR_TYPE', `${model}: tensor type ${types.join(', ')} has no kernel: ${shown}${more}`, {
    tensors: list.map((t) => t.name),
    types,
  });
}

const STATUS_CODES: ReadonlyMap<number, ErrorCode> = new Map([
  [Status.E_K_SHAPE, 'KERNEL_SHAPE'],
  [Status.E_K_RANGE, 'KERNEL_RANGE'],
  [Status.E_K_ALIGN, 'KERNEL_ALIGN'],
  [Status.E_K_TYPE, 'KERNEL_TYPE'],
]);

const WHY: Record<string, string> = {
  KERNEL_SHAPE: "a dimension is 0, too large, or does not divide the type's block",
  KERNEL_RANGE: 'a buffer lies outside the arena and KV pages',
  KERNEL_ALIGN: 'an f32 or work buffer is not 16-byte aligned',
  KERNEL_TYPE: 'the core has no kernel for this type',
};

export class Kernels {
  readonly #x: CoreExports;
  readonly #par: Parallel | null;

  /** `parallel`: the compute pool that splits matvec/matmul rows (shared-memory cores). */
  constructor(exports: CoreExports, parallel: Parallel | null = null) {
    this.#x = exports;
    this.#par = parallel;
  }

  /** True when the core computes with weights of `type`. */
  supports(type: number): boolean {
    return this.#x.kSupports(type) === 1;
  }

  /** Bytes of one row of `cols` elements of `type`. */
  rowBytes(type: number, cols: number): number {
    return this.#check(this.#x.kRowBytes(type, cols), 'rowBytes', type, { cols });
  }

  /** Bytes of `work` that matvec / matmul need (the quantized activations of the batch). */
  workBytes(type: number, cols: number, batch = 1): number {
    return this.#check(this.#x.kWorkBytes(type, cols, batch), 'workBytes', type, { cols, batch });
  }

  /** y[r] = dot(W[r, :], x) for r < rows. */
  matvec(type: number, w: number, rows: number, cols: number, x: number, y: number, work: number): void {
    const p = this.#par?.matmul(type, w, rows, cols, x, 1, y, work) ?? null;
    if (p !== null) {
      this.#check(p, 'matvec', type, { rows, cols, w, x, y, work });
      return;
    }
    this.#check(this.#x.kMatvec(type, w, rows, cols, x, y, work), 'matvec', type, { rows, cols, w, x, y, work });
  }

  /** y[b·rows + r] = dot(W[r, :], x[b·cols ...]) for b < batch; each weight row streams once per batch. */
  matmul(type: number, w: number, rows: number, cols: number, x: number, batch: number, y: number, work: number): void {
    const p = this.#par?.matmul(type, w, rows, cols, x, batch, y, work) ?? null;
    if (p !== null) {
      this.#check(p, 'matmul', type, { rows, cols, batch, w, x, y, work });
      return;
    }
    this.#check(this.#x.kMatmul(type, w, rows, cols, x, batch, y, work), 'matmul', type, { rows, cols, batch, w, x, y, work });
  }

  /**
   * matmul of several matrices of one type and width over the same x (q, k and v; gate and up): x is quantized
   * once, and on a compute pool the matrices' rows are one parallel op. Every y as matmul computes it.
   */
  matmulMany(type: number, cols: number, x: number, batch: number, work: number, mats: readonly MatmulPart[]): void {
    const shape = { cols, batch, x, work, matrices: mats.length };
    const p = this.#par?.matmulMany(type, cols, x, batch, work, mats) ?? null;
    if (p !== null) {
      this.#check(p, 'matmulMany', type, shape);
      return;
    }
    this.#check(this.#x.kMatmulPrepare(type, mats[0].w, mats[0].rows, cols, x, batch, mats[0].y, work), 'matmulMany', type, shape);
    for (const m of mats)
      this.#check(this.#x.kMatmulRows(type, m.w, m.rows, cols, x, batch, m.y, work, 0, m.rows), 'matmulMany', type, { ...shape, rows: m.rows, w: m.w, y: m.y });
  }

  /** Row `row` of a matrix of `type` with `cols` columns at w, decoded to f32 at dst. */
  getRows(type: number, w: number, cols: number, row: number, dst: number): void {
    this.#check(this.#x.kGetRows(type, w, cols, row, dst), 'getRows', type, { cols, row, w, dst });
  }

  /** n elements (a multiple of the block) of `type` at src decoded to f32 at dst. */
  dequant(type: number, src: number, dst: number, n: number): void {
    this.#check(this.#x.kDequant(type, src, dst, n), 'dequant', type, { n, src, dst });
  }

  #check(r: number, op: string, type: number, args: Record<string, number>): number {
    return checkKernelStatus(r, op, type, args);
  }
}

/** @internal r when it is a status ≥ 0, else the typed error naming the kernel, its type (−1: none) and its arguments. */
export function checkKernelStatus(r: number, op: string, type: number, args: Record<string, number>): number {
  if (r >= 0) return r;
  const code = STATUS_CODES.get(r);
  const shape = Object.entries(args)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const what = type >= 0 ? ` ${typeName(type)}` : '';
  if (code === undefined) {
    throw new GgufPagerError('ARENA_CORRUPT', `kernel ${op}${what}: unexpected status ${r} (${shape})`, { op, type, status: r, ...args });
  }
  throw new GgufPagerError(code, `kernel ${op}${what} (${shape}): ${WHY[code]}`, { op, type, status: r, ...args });
}
