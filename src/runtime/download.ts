/**
 * Fetches a cached model whole into its on-device cache during load, so that
 * paging later reads from OPFS/IndexedDB only. A bounded pipeline
 * (docs/memory.md): `DOWNLOAD_CONCURRENCY` workers, each taking the next
 * missing chunk only once its previous one is durably stored (backpressure
 * from the store to the network). In a worker with OPFS, network pieces go
 * straight into the data file through one reused bounce buffer per request;
 * elsewhere each worker has one chunk buffer, allocated once and reused.
 * Nothing the size of the model is held and nothing waits for the GC.
 */
import { GgufPagerError } from '../core/errors.ts';
import { CachedSource } from '../sources/cached.ts';
import type { PagerSource } from '../sources/source.ts';

/** Chunks in flight at once during a download. */
export const DOWNLOAD_CONCURRENCY = 4;

export interface DownloadTick {
  bytesDone: number;
  bytesTotal: number;
}

export async function downloadIntoCache(sources: PagerSource[], onTick: (t: DownloadTick) => void, signal?: AbortSignal): Promise<void> {
  const cached = sources.filter((s): s is CachedSource => s instanceof CachedSource);
  const bytesTotal = cached.reduce((a, s) => a + s.size, 0);
  let bytesDone = 0;
  onTick({ bytesDone, bytesTotal });
  for (const src of cached) {
    const chunk = src.chunkSize;
    const count = Math.ceil(src.size / chunk);
    let next = 0;
    const worker = async () => {
      let scratch: Uint8Array | undefined;
      const buffer = () => (scratch ??= new Uint8Array(chunk));
      for (let i = next++; i < count; i = next++) {
        if (signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', `${src.name}: download aborted at chunk ${i} of ${count}`, { source: src.name, chunk: i });
        await src.download(i, buffer, signal);
        bytesDone += Math.min(chunk, src.size - i * chunk);
        onTick({ bytesDone, bytesTotal });
      }
    };
    await Promise.all(Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, count) }, worker));
  }
}
