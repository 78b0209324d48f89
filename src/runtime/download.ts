/**
 * Fetches a cached model whole into its on-device cache during load, so that
 * paging later reads from OPFS/IndexedDB only. Bytes pass through a few
 * chunk-sized scratch buffers (bounded, short-lived), never a whole copy.
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
      const scratch = new Uint8Array(chunk);
      for (let i = next++; i < count; i = next++) {
        if (signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', `${src.name}: download aborted at chunk ${i} of ${count}`, { source: src.name, chunk: i });
        const offset = i * chunk;
        const len = Math.min(chunk, src.size - offset);
        if (!src.hasChunk(i)) await src.readInto(offset, scratch.subarray(0, len), { signal });
        bytesDone += len;
        onTick({ bytesDone, bytesTotal });
      }
    };
    await Promise.all(Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, count) }, worker));
  }
}
