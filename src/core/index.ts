export { createCore, type Core, type CoreOptions, type KvOptions } from './core.ts';
export { Arena, type ArenaStats, type Handle } from './arena.ts';
export { KvCachePool, type KvDtype } from './kv-pool.ts';
export { compileCore, instantiateCore, loadedCoreBuild, setCoreLocation, type CoreModuleSource } from './wasm.ts';
export { relaxedSimdSupported, type CoreBuild, type CoreBuildInfo, type CoreLocation } from './core-build.ts';
export type { CoreExports } from './exports.ts';
export { BLOCK_ALIGN } from './status.ts';
export { GgufPagerError, isGgufPagerError, type ErrorCode } from './errors.ts';
export { Ops, ROPE_NORMAL, ROPE_NEOX, type RopeMode } from './ops.ts';
