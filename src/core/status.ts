/**
 * Status codes of the Wasm core (assembly/common.ts), mirrored here and
 * checked against the module's exported globals when it is instantiated.
 */
import { GgufPagerError } from '../errors.ts';

export const Status = {
  OK: 0,
  E_NO_FIT: -1,
  E_TOO_MANY_BLOCKS: -2,
  E_BAD_HANDLE: -3,
  E_PINNED: -4,
  E_NOT_PINNED: -5,
  E_PIN_OVERFLOW: -6,
  E_INIT_ARGS: -7,
  E_INIT_MEMORY: -8,
  E_INIT_TWICE: -9,
  E_KV_EXHAUSTED: -10,
  E_KV_BAD_PAGE: -11,
  E_KV_PAGE_OWNED: -12,
  E_KV_BAD_SEQ: -13,
  E_KV_BAD_DIM: -14,
  E_K_SHAPE: -20,
  E_K_RANGE: -21,
  E_K_ALIGN: -22,
  E_K_TYPE: -23,
  E_CORRUPT: -100,
} as const;

/** Byte alignment of every arena block (assembly/common.ts ALIGN). */
export const BLOCK_ALIGN = 64;

/** Throws WASM_LOAD when the module's codes differ from this mirror (a stale build). */
export function verifyStatus(exports: WebAssembly.Exports): void {
  const wrong: string[] = [];
  for (const [name, value] of Object.entries(Status)) {
    const g = exports[name];
    if (!(g instanceof WebAssembly.Global) || g.value !== value) wrong.push(name);
  }
  const align = exports.BLOCK_ALIGN;
  if (!(align instanceof WebAssembly.Global) || align.value !== BLOCK_ALIGN) wrong.push('BLOCK_ALIGN');
  if (wrong.length > 0) {
    throw new GgufPagerError('WASM_LOAD', `core.wasm does not match src/core/status.ts (${wrong.join(', ')}): rebuild it with npm run build:wasm`, {
      mismatched: wrong,
    });
  }
}
