/**
 * Every count and length a GGUF header declares is checked against one of
 * these before anything is allocated or looped over. The defaults admit every
 * real model we know of (a 262k-token vocabulary, 50k-entry merges lists, MoE
 * models with thousands of tensors) and refuse headers built to exhaust memory.
 */
export interface GgufLimits {
  /**
   * Bytes of one metadata string (chat templates are tens of KiB). Blocks a
   * 2^64-1 string length that would allocate or decode gigabytes.
   */
  maxStringLength: number;
  /**
   * Bytes of a metadata key or a tensor name (ggml's GGML_MAX_NAME is 64).
   * Blocks megabyte-long "names" that then get copied into every error message and map key.
   */
  maxNameLength: number;
  /**
   * Elements of one metadata array (vocabularies reach 262,144, merges ~300k).
   * Blocks a 2^64-1 array length that would loop or allocate forever.
   */
  maxArrayLength: number;
  /**
   * Nesting of arrays inside arrays. Blocks a recursion-depth attack (an array
   * of an array of … ) that would overflow the JS stack.
   */
  maxArrayDepth: number;
  /**
   * Dimensions of one tensor (ggml's GGML_MAX_DIMS is 4; at most 8 accepted).
   * Blocks n_dims = 2^32-1 allocating a huge `dims` array.
   */
  maxDims: number;
  /** Tensors in one file. Blocks a tensor_count of 2^64-1 driving an endless loop. */
  maxTensorCount: number;
  /** Metadata key/value pairs in one file. Blocks a kv_count of 2^64-1 driving an endless loop. */
  maxKeyCount: number;
  /**
   * Bytes of the whole header (up to the tensor data). The header is held in
   * memory while it is parsed: this is the memory bound of the parser.
   */
  maxHeaderBytes: number;
}

export const DEFAULT_GGUF_LIMITS: Readonly<GgufLimits> = Object.freeze({
  maxStringLength: 16 * 1024 * 1024,
  maxNameLength: 64 * 1024,
  maxArrayLength: 1 << 24,
  maxArrayDepth: 8,
  maxDims: 4,
  maxTensorCount: 1 << 20,
  maxKeyCount: 1 << 20,
  maxHeaderBytes: 128 * 1024 * 1024,
});

/** The hard ceiling on `maxDims` a caller may ask for. */
export const MAX_DIMS_CEILING = 8;

export function resolveLimits(partial?: Partial<GgufLimits>): GgufLimits {
  const limits = { ...DEFAULT_GGUF_LIMITS, ...partial };
  limits.maxDims = Math.min(limits.maxDims, MAX_DIMS_CEILING);
  return limits;
}
