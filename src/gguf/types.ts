/**
 * The parsed shape of a GGUF model. The parser (src/gguf/parse.ts) produces it;
 * the pager, the CLI and the runtime consume it. Plain data: structured-clone safe.
 */

/** A metadata value. 64-bit integers are `bigint` only when a Number would lose them. */
export type GgufValue = number | bigint | string | boolean | GgufValue[];

/** GGUF metadata value type ids (gguf_type in ggml). */
export const enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/**
 * The full type of a metadata value: a GgufValueType id for scalars and strings,
 * `{ array: element }` for arrays. For arrays of arrays, `array` is the first
 * inner array's type and `items` (when present) the type of every inner array.
 */
export type GgufTypeSpec = number | { array: GgufTypeSpec; items?: GgufTypeSpec[] };

export interface TensorInfo {
  /** The GGUF tensor name, which is also the pager's TensorId (`blk.0.attn_q.weight`). */
  name: string;
  /** ggml type id (GGML_TYPE_*). */
  type: number;
  /** ggml type name (`F32`, `Q8_0`, …). */
  typeName: string;
  /** Dimensions as GGUF stores them (ne[0] first). */
  dims: number[];
  /** Offset relative to the start of its shard's tensor data section. */
  relativeOffset: number;
  /** Absolute byte offset in its shard's file. */
  offset: number;
  /** Byte size of the tensor's data. */
  size: number;
  /** Index of the shard (file) holding it; 0 for a single-file model. */
  shard: number;
}

export interface GgufShard {
  /** Source name (URL or path) of this shard. */
  name: string;
  version: number;
  alignment: number;
  /** Absolute offset where this shard's tensor data starts. */
  tensorDataOffset: number;
  fileSize: number;
}

export interface GgufModel {
  version: number;
  alignment: number;
  /** Of the first shard. */
  tensorDataOffset: number;
  /** Of the first shard. */
  fileSize: number;
  /** Null-prototype-safe: keys such as `__proto__` are data. Of the first shard (split.* keys included). */
  metadata: Map<string, GgufValue>;
  /** Metadata value type ids, same keys as `metadata` (ARRAY keys map to ARRAY). */
  metadataTypes: Map<string, number>;
  /** For ARRAY keys only: the element type (set by the parser; optional for hand-built models). */
  metadataArrayTypes?: Map<string, GgufTypeSpec>;
  /**
   * All tensors across all shards, in file order (shard 0 first). A parsed
   * model's is a read-only view of a typed-array table (tensor-table.ts):
   * each element is made on access, so keep what you need rather than the objects.
   */
  tensors: readonly TensorInfo[];
  shards: GgufShard[];
  /** Sum of every tensor's `size`. */
  totalTensorBytes: number;
}
