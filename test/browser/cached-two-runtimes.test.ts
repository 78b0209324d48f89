/**
 * Two runtimes in one page are two workers, like two tabs: loading the same
 * URL at once, one downloads and the other waits, then reads the cached bytes
 * (OPFS through shared handles, or IndexedDB). The server sees the file once.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { servedModel } from '../servers/model-list.ts';
import { DEFAULT_INITIAL_READ } from '../../src/gguf/reader.ts';
import { serverStats, unique } from '../servers/urls.ts';

let a: Runtime;
let b: Runtime;
beforeAll(async () => {
  [a, b] = await Promise.all([createRuntime({ budget: 16 << 20 }), createRuntime({ budget: 16 << 20 })]);
});
afterAll(async () => {
  await a.dispose();
  await b.dispose();
});

const rangeBytes = (ranges: string[]) =>
  ranges.reduce((n, r) => {
    const m = /bytes=(\d+)-(\d+)/.exec(r);
    return n + (m ? Number(m[2]) - Number(m[1]) + 1 : 0);
  }, 0);

for (const cache of ['opfs', 'idb'] as const) {
  it(`${cache}: two workers load one URL at once; it is downloaded once and both page it`, async () => {
    const size = servedModel('small.gguf').size;
    const tag = unique('two');
    const url = `${inject('rangeBase')}/fault/slow/1/small.gguf?t=${unique()}&tag=${tag}`;
    const [ma, mb] = await Promise.all([a.load(url, { cache }), b.load(url, { cache })]);
    const fetched = [(await ma.stats()).fromNetwork, (await mb.stats()).fromNetwork].sort((x, y) => x - y);
    expect(fetched).toEqual([0, size]);
    const seen = await serverStats(inject('rangeBase'), tag);
    // Each of the two opens asks for 1 byte, and reads the header (one first window) before opening the cache.
    expect(rangeBytes(seen.ranges)).toBeLessThanOrEqual(size + 2 + 2 * DEFAULT_INITIAL_READ);
    for (const m of [ma, mb]) {
      const s = await m.pagingDryRun({ tokens: 1 });
      expect(s.bytesLoaded).toBeGreaterThan(0);
    }
    await expect(b.cache.delete(url)).rejects.toMatchObject({ code: 'CACHE_IN_USE' });
    await ma.dispose();
    await mb.dispose();
  }, 60_000);
}
