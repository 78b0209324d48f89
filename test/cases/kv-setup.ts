/** A KV pool for the KV cases: its budget holds the pages and 64 KiB of arena. */
import { createCore } from '../../src/core/core.ts';
import type { KvCachePool, KvDtype } from '../../src/core/kv-pool.ts';

export const KiB = 1024;

export async function pool(pages: number, pageElems: number, dtype: KvDtype = 'f32'): Promise<KvCachePool> {
  const pageBytes = Math.ceil((pageElems * (dtype === 'f16' ? 2 : 4)) / 64) * 64;
  const core = await createCore({ arenaBytes: 64 * KiB + pages * pageBytes, kv: { pages, pageElems, dtype } });
  return core.kv!;
}
