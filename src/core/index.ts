export { createCore, type Core, type CoreOptions, type KvOptions } from './core.ts';
export { Arena, type ArenaStats, type Handle } from './arena.ts';
export { KvCachePool, type KvDtype } from './kv-pool.ts';
export { compileCore, instantiateCore, type CoreModuleSource } from './wasm.ts';
export type { CoreExports } from './exports.ts';
export { BLOCK_ALIGN } from './status.ts';
export { GgufPagerError, isGgufPagerError, type ErrorCode } from './errors.ts';
export { Ops, ROPE_NORMAL, ROPE_NEOX, type RopeMode } from './ops.ts';
export { Kernels, GgmlType, SUPPORTED_TYPES, unsupportedTensors, unsupportedTensorsError, typeName, type UnsupportedTensor } from './kernels.ts';
