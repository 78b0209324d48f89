/**
 * The ggml tensor type table: for every type id a GGUF file may name, how many
 * elements one block holds and how many bytes that block takes.
 *
 * Checked against ggml-org/llama.cpp (read through the code index):
 * - `ggml/include/ggml.h` @ 004eaba804a34aa1a397b61d6d5274171c5e4cba, `enum ggml_type`:
 *   ids 0..39 below, with 4, 5 (Q4_2, Q4_3), 31..33 (Q4_0_4_4 …) and 36..38
 *   (IQ4_NL_4_4 …) commented out as removed.
 * - `ggml/src/ggml.c` @ 00bdaa105cb03380daf899b4fc9f026555745269, `type_traits[]`:
 *   `blck_size` / `type_size` per type (removed ids have blck_size 0); that
 *   revision also has NVFP4 (= 40) and Q1_0 (= 41), whose ids appear in the
 *   newer `enum ggml_type` (`GGML_TYPE_NVFP4 = 40`, `GGML_TYPE_Q1_0 = 41`,
 *   `GGML_TYPE_Q2_0 = 42`; @huggingface/tasks' GGMLQuantizationType agrees).
 * - `ggml/src/ggml-common.h` @ 01243c587feceaa5d6a6c2305535ef2f549c48b8: the block
 *   structs and their `static_assert(sizeof(block_x) == …)`; QK_K = 256.
 *   e.g. block_q8_0 = half d + int8 qs[32] = 34; block_q4_K = 2 halves + 12
 *   scales + 128 qs = 144; block_q6_K = 128 + 64 + 16 + 2 = 210;
 *   block_q8_K = float d + 256 qs + 16 int16 bsums = 292; block_mxfp4 = 1 + 16 = 17;
 *   block_q1_0 (QK1_0 = 128) = half + 16; block_q2_0 (QK2_0 = 64) = half + 16;
 *   block_nvfp4 (QK_NVFP4 = 64) = 4 scales + 32.
 * (@huggingface/gguf 0.4.6's GGML_QUANT_SIZES gives Q8_1 40 bytes; ggml's
 * block_q8_1 is two halves + 32 = 36, which is what is used here.)
 */
import { GgufPagerError } from '../errors.ts';

export interface GgmlTypeInfo {
  id: number;
  /** Name as GGUF tools print it (`Q8_0`, `Q4_K`, `BF16`). */
  name: GgmlTypeName;
  /** Elements per block (1 for plain types). */
  blockSize: number;
  /** Bytes per block. */
  blockBytes: number;
  quantized: boolean;
}

const QK_K = 256;

/** [id, name, blockSize, blockBytes]; removed ids are absent. */
const TABLE = [
  [0, 'F32', 1, 4],
  [1, 'F16', 1, 2],
  [2, 'Q4_0', 32, 2 + 16],
  [3, 'Q4_1', 32, 2 + 2 + 16],
  [6, 'Q5_0', 32, 2 + 4 + 16],
  [7, 'Q5_1', 32, 2 + 2 + 4 + 16],
  [8, 'Q8_0', 32, 2 + 32],
  [9, 'Q8_1', 32, 2 + 2 + 32],
  [10, 'Q2_K', QK_K, 2 * 2 + QK_K / 16 + QK_K / 4], // 84
  [11, 'Q3_K', QK_K, 2 + QK_K / 4 + QK_K / 8 + 12], // 110
  [12, 'Q4_K', QK_K, 2 * 2 + 12 + QK_K / 2], // 144
  [13, 'Q5_K', QK_K, 2 * 2 + 12 + QK_K / 2 + QK_K / 8], // 176
  [14, 'Q6_K', QK_K, 2 + QK_K / 16 + (3 * QK_K) / 4], // 210
  [15, 'Q8_K', QK_K, 4 + QK_K + (QK_K / 16) * 2], // 292
  [16, 'IQ2_XXS', QK_K, 2 + (QK_K / 8) * 2], // 66
  [17, 'IQ2_XS', QK_K, 2 + (QK_K / 8) * 2 + QK_K / 32], // 74
  [18, 'IQ3_XXS', QK_K, 2 + 3 * (QK_K / 8)], // 98
  [19, 'IQ1_S', QK_K, 2 + QK_K / 8 + QK_K / 16], // 50
  [20, 'IQ4_NL', 32, 2 + 16], // 18
  [21, 'IQ3_S', QK_K, 2 + 13 * (QK_K / 32) + QK_K / 64], // 110
  [22, 'IQ2_S', QK_K, 2 + QK_K / 4 + QK_K / 16], // 82
  [23, 'IQ4_XS', QK_K, 2 + 2 + QK_K / 64 + QK_K / 2], // 136
  [24, 'I8', 1, 1],
  [25, 'I16', 1, 2],
  [26, 'I32', 1, 4],
  [27, 'I64', 1, 8],
  [28, 'F64', 1, 8],
  [29, 'IQ1_M', QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32], // 56
  [30, 'BF16', 1, 2],
  [34, 'TQ1_0', QK_K, 2 + QK_K / 64 + (QK_K - (4 * QK_K) / 64) / 5], // 54
  [35, 'TQ2_0', QK_K, 2 + QK_K / 4], // 66
  [39, 'MXFP4', 32, 1 + 16], // 17
  [40, 'NVFP4', 64, 64 / 16 + 64 / 2], // 36
  [41, 'Q1_0', 128, 2 + 128 / 8], // 18
  [42, 'Q2_0', 64, 2 + 64 / 4], // 18
] as const;

export type GgmlTypeName = (typeof TABLE)[number][1];

/** Ids ggml once used and removed; a file naming one is rejected with its old name. */
const REMOVED: ReadonlyMap<number, string> = new Map([
  [4, 'Q4_2'],
  [5, 'Q4_3'],
  [31, 'Q4_0_4_4'],
  [32, 'Q4_0_4_8'],
  [33, 'Q4_0_8_8'],
  [36, 'IQ4_NL_4_4'],
  [37, 'IQ4_NL_4_8'],
  [38, 'IQ4_NL_8_8'],
]);

const BY_ID: ReadonlyMap<number, GgmlTypeInfo> = new Map(
  TABLE.map(([id, name, blockSize, blockBytes]): [number, GgmlTypeInfo] => [id, { id, name, blockSize, blockBytes, quantized: blockSize > 1 }]),
);
const BY_NAME: ReadonlyMap<string, GgmlTypeInfo> = new Map([...BY_ID.values()].map((t) => [t.name.toUpperCase(), t]));

/**
 * Every known type, by id.
 * @internal not part of the package's API (tests and dev scripts)
 */
export const GGML_TYPES: readonly GgmlTypeInfo[] = [...BY_ID.values()];

/** Name-indexed ids for the common types, e.g. `GgmlType.Q8_0 === 8`. */
export const GgmlType = Object.freeze(Object.fromEntries(TABLE.map(([id, name]) => [name, id]))) as Readonly<Record<GgmlTypeName, number>>;

export function ggmlTypeInfo(id: number): GgmlTypeInfo | undefined {
  return BY_ID.get(id);
}

/** Accepts any case (`q8_0`, `Q8_0`). */
export function ggmlTypeByName(name: string): GgmlTypeInfo | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/** The type's info, or `GGUF_UNKNOWN_TYPE` naming the id and the tensor. */
export function requireGgmlType(id: number, tensor?: string): GgmlTypeInfo {
  const info = BY_ID.get(id);
  if (info) return info;
  const removed = REMOVED.get(id);
  const what = tensor === undefined ? '' : ` of tensor '${tensor}'`;
  throw new GgufPagerError(
    'GGUF_UNKNOWN_TYPE',
    removed ? `ggml type ${id} (${removed})${what} was removed from ggml and has no defined size` : `unknown ggml type ${id}${what}`,
    { type: id, tensor },
  );
}

/**
 * Bytes of a tensor's data: elements / blockSize * blockBytes. The row length
 * (`dims[0]`) must be a multiple of the block size (`GGUF_BAD_SHAPE`); the
 * result must be exact in a Number (`GGUF_BAD_SHAPE` otherwise).
 */
export function tensorByteSize(type: number, dims: readonly number[], tensor?: string): number {
  const info = requireGgmlType(type, tensor);
  const what = tensor === undefined ? 'tensor' : `tensor '${tensor}'`;
  let elements = 1n;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new GgufPagerError('GGUF_BAD_SHAPE', `${what} has dimension ${d}, not a non-negative safe integer`, { tensor, dims: [...dims] });
    }
    elements *= BigInt(d);
  }
  const row = dims.length > 0 ? dims[0] : 1;
  if (row % info.blockSize !== 0) {
    throw new GgufPagerError('GGUF_BAD_SHAPE', `${what} of type ${info.name} has rows of ${row} elements, not a multiple of the block size ${info.blockSize}`, {
      tensor,
      dims: [...dims],
      type,
      blockSize: info.blockSize,
    });
  }
  const bytes = (elements / BigInt(info.blockSize)) * BigInt(info.blockBytes);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new GgufPagerError('GGUF_BAD_SHAPE', `${what} would take ${bytes} bytes, beyond 2^53`, { tensor, dims: [...dims], type });
  }
  return Number(bytes);
}
