/** GGUF parsing and writing: the public surface of src/gguf. */
export * from './types.ts';
export { GGML_TYPES, GgmlType, ggmlTypeByName, ggmlTypeInfo, requireGgmlType, tensorByteSize } from './ggml-types.ts';
export type { GgmlTypeInfo, GgmlTypeName } from './ggml-types.ts';
export { DEFAULT_GGUF_LIMITS, MAX_DIMS_CEILING, resolveLimits } from './limits.ts';
export type { GgufLimits } from './limits.ts';
export { parseGguf } from './parse.ts';
export { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, parseGgufFile } from './parse-file.ts';
export type { ParseOptions, ParseStats } from './parse-file.ts';
export { parseGgufSplit, splitShardNames } from './split.ts';
export { ggufHeaderBytes, metadataEntries, writeGguf } from './write.ts';
export type { GgufLayout, GgufTensorPlacement, GgufWriteInput, GgufWriteTensor, MetadataEntry } from './write.ts';
export { inferSpec } from './write-value.ts';
export { SyntheticLlama, syntheticLlama } from './synthetic.ts';
export type { SyntheticLlamaOptions, SyntheticType } from './synthetic.ts';
