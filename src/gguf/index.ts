/** GGUF parsing (this folder), and for dev scripts the writer and synthetic models of src/authoring, re-exported. */
export * from './types.ts';
export { GGML_TYPES, GgmlType, ggmlTypeByName, ggmlTypeInfo, requireGgmlType, tensorByteSize } from './ggml-types.ts';
export type { GgmlTypeInfo, GgmlTypeName } from './ggml-types.ts';
export { DEFAULT_GGUF_LIMITS, MAX_DIMS_CEILING, resolveLimits } from './limits.ts';
export type { GgufLimits } from './limits.ts';
export { parseGguf } from './parse.ts';
export { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, parseGgufFile } from './parse-file.ts';
export type { ParseOptions, ParseStats } from './parse-file.ts';
export { parseGgufSplit, splitShardNames } from './split.ts';
export { ggufHeaderBytes, metadataEntries, writeGguf } from '../authoring/write.ts';
export type { GgufLayout, GgufTensorPlacement, GgufWriteInput, GgufWriteTensor, MetadataEntry } from '../authoring/write.ts';
export { inferSpec } from '../authoring/write-value.ts';
export { SyntheticLlama, syntheticLlama } from '../authoring/synthetic.ts';
export type { SyntheticLlamaOptions, SyntheticType } from '../authoring/synthetic.ts';
