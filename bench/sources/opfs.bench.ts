/**
 * OPFS reads into the Wasm arena, in a dedicated worker (see
 * opfs-bench.worker.ts): OpfsSource and the cache-hit path of CachedSource vs
 * the raw `FileSystemSyncAccessHandle.read` into a plain buffer. Target:
 * ratio ≥ 0.9.
 */
import * as Comlink from 'comlink';
import type { OpfsBenchWorker } from './opfs-bench.worker.ts';
import type { BenchContext, BenchResult } from './types.ts';

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const worker = new Worker(new URL('./opfs-bench.worker.ts', import.meta.url), { type: 'module' });
  try {
    const api = Comlink.wrap<OpfsBenchWorker>(worker);
    const { cases, notes } = await api.run(ctx.bytes, ctx.runs);
    const byName = new Map(cases.map((c) => [c.name, c.medianMs]));
    return {
      title: `OPFS, ${ctx.bytes / 2 ** 20} MiB file read whole in a worker, median of ${ctx.runs} runs`,
      rows: cases.map((c) => ({
        name: c.name,
        medianMs: c.medianMs,
        mbPerS: ctx.bytes / 1e3 / c.medianMs,
        against: c.against,
        ratio: (byName.get(c.against) as number) / c.medianMs,
      })),
      notes,
    };
  } finally {
    worker.terminate();
  }
}
