import { expect, it } from 'vitest';
import runOpfs from '../../bench/sources/opfs.bench.ts';
import runIdb from '../../bench/sources/idb.bench.ts';

// The benchmarks check every byte they time against the pattern; here they run
// small and once, so a broken benchmark fails the suite instead of printing nonsense.
it('runs the OPFS and IndexedDB benchmarks end to end on a small file', async () => {
  const ctx = { rangeBase: '', bytes: 16 << 20, runs: 1 };
  const opfs = await runOpfs(ctx);
  expect(opfs.rows.map((r) => r.name)).toEqual([
    'raw SyncAccessHandle.read -> ArrayBuffer',
    'raw SyncAccessHandle.read -> arena',
    'OpfsSource.readInto -> arena',
    'CachedSource (OPFS, all cached) -> arena',
  ]);
  const idb = await runIdb(ctx);
  expect(idb.rows).toHaveLength(14);
  for (const r of [...opfs.rows, ...idb.rows]) {
    expect(r.medianMs, r.name).toBeGreaterThan(0);
    expect(r.ratio, r.name).toBeGreaterThan(0);
  }
}, 120_000);
