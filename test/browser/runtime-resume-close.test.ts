/**
 * Resume after a closed tab: the runtime's worker is terminated abruptly (as a
 * closed tab or a crash ends it) at about 10 %, 40 % and 70 % of a throttled
 * download; a new runtime then loads the same URL. Only the pieces in flight
 * at the kill may be fetched again (plus 5 % of the file), and the entry's
 * bytes hash to the file's SHA-256 (the server sends it as the ETag, so the
 * second load verifies the whole entry, the first session's chunks included).
 */
import { expect, inject, it } from 'vitest';
import { createRuntime, type LoadProgress, type Runtime } from '../../src/index.ts';
import { DOWNLOAD_CONCURRENCY } from '../../src/runtime/download.ts';
import { OPFS_DEFAULT_CHUNK_SIZE } from '../../src/sources/cache/cached.ts';
import { IDB_DEFAULT_CHUNK_SIZE } from '../../src/sources/idb/source.ts';
import { servedModel } from '../servers/model-list.ts';
import { unique } from '../servers/urls.ts';

const size = servedModel('resume.gguf').size;
const chunkOf = { opfs: OPFS_DEFAULT_CHUNK_SIZE, idb: IDB_DEFAULT_CHUNK_SIZE } as const;

/** A runtime whose worker the test can kill. */
async function killableRuntime(): Promise<{ rt: Runtime; kill: () => void }> {
  let worker!: Worker;
  const rt = await createRuntime({
    budget: 16 << 20,
    worker: () => (worker = new Worker(new URL('../../src/runtime/worker.ts', import.meta.url), { type: 'module' })),
  });
  return { rt, kill: () => worker.terminate() };
}

/** Starts a load and kills the worker once `fraction` of the file is downloaded; resolves with the bytes done by then. */
async function loadUntilKilled(url: string, cache: 'opfs' | 'idb', fraction: number): Promise<number> {
  const { rt, kill } = await killableRuntime();
  return new Promise<number>((resolve, reject) => {
    let killed = false;
    rt.load(url, {
      cache,
      onProgress: (p: LoadProgress) => {
        if (killed || p.phase !== 'download' || p.bytesDone < fraction * size) return;
        killed = true;
        kill();
        resolve(p.bytesDone);
      },
    }).then(() => reject(new Error('the load ended before the kill')), reject);
  });
}

for (const cache of ['opfs', 'idb'] as const) {
  for (const fraction of [0.1, 0.4, 0.7]) {
    it(`${cache}: a worker killed at ${fraction * 100} % of the download loses at most the pieces in flight`, async () => {
      const url = `${inject('rangeBase')}/fault/sha256-etag/fault/slow/1/resume.gguf?t=${unique()}`;
      const doneAtKill = await loadUntilKilled(url, cache, fraction);
      expect(doneAtKill).toBeLessThan(size);

      const { rt } = await killableRuntime();
      try {
        const m = await rt.load(url, { cache });
        const again = (await m.stats()).fromNetwork;
        // Every chunk the first session had completed (bytesDone) was durable, so what the second load fetches
        // twice is at most the pieces in flight at the kill (≤ DOWNLOAD_CONCURRENCY chunks, not in bytesDone)
        // plus the 5 % slack: the second load fetches at most the rest of the file and that slack.
        expect(again, `fetched by the second load after a kill at ${doneAtKill} of ${size} bytes`).toBeLessThanOrEqual(size - doneAtKill + 0.05 * size);
        expect(size - doneAtKill, 'what was not complete at the kill').toBeGreaterThan(0);
        expect(DOWNLOAD_CONCURRENCY * chunkOf[cache]).toBeLessThan(size); // the pieces in flight are not the whole file
        expect(m.info.integrity?.[0], 'the whole entry hashes to the served SHA-256').toMatchObject({ verified: true });
        const [entry] = (await rt.cache.list()).filter((e) => e.key === url);
        expect(entry.bytesCached).toBe(size);
        await m.dispose();
        await rt.cache.delete(url);
      } finally {
        await rt.dispose();
      }
    }, 120_000);
  }
}
