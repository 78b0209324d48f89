import { afterAll, describe, expect, it } from 'vitest';
import { CachedSource } from '../../src/sources/cache/cached.ts';
import { clearCached, listCached } from '../../src/sources/cache/storage.ts';
import { CountingRemote, interceptWrites, quotaError, readAllMismatch, sleep } from './workers/cached-fixtures.ts';
import { firstPatternMismatch } from '../servers/pattern.ts';

const run = Date.now();
const CHUNK = 2048;
const SIZE = 4 * CHUNK;
const namespaces: string[] = [];

function freshNamespace(name: string): string {
  const ns = `test-cached-quota-${name}-${run}`;
  namespaces.push(ns);
  return ns;
}

afterAll(async () => {
  for (const ns of namespaces) await clearCached({ namespace: ns });
});

describe.each(['idb', 'opfs'] as const)('CachedSource over %s when storage runs out', (store) => {
  /** Caches a whole model under `key` and closes it (its last-used time is now). */
  async function cacheModel(ns: string, key: string): Promise<void> {
    const src = await CachedSource.open(new CountingRemote(SIZE, { seed: 30 }), { key, store, chunkSize: CHUNK, namespace: ns });
    await src.readInto(0, new Uint8Array(SIZE));
    await src.close();
    await sleep(5);
  }

  it('evicts the least recently used other model on QuotaExceededError, then writes', async () => {
    const ns = freshNamespace(`lru-${store}`);
    await cacheModel(ns, 'old');
    await cacheModel(ns, 'newer');
    const remote = new CountingRemote(SIZE, { seed: 31 });
    const src = await CachedSource.open(remote, {
      key: 'new',
      store,
      chunkSize: CHUNK,
      namespace: ns,
      wrapStore: interceptWrites(async (write, _i, call) => (call === 1 ? Promise.reject(quotaError()) : write())),
    });
    expect(await readAllMismatch(src, 31)).toBe(-1);
    await src.close();
    expect((await listCached({ namespace: ns })).map((e) => [e.key, e.bytesCached])).toEqual([
      ['new', SIZE],
      ['newer', SIZE],
    ]);
  });

  it('never evicts a model that is open, even the least recently used', async () => {
    const ns = freshNamespace(`open-${store}`);
    await cacheModel(ns, 'oldest-but-open');
    await cacheModel(ns, 'closed');
    const held = await CachedSource.open(new CountingRemote(SIZE, { seed: 30 }), { key: 'oldest-but-open', store, chunkSize: CHUNK, namespace: ns });
    const src = await CachedSource.open(new CountingRemote(SIZE, { seed: 32 }), {
      key: 'writer',
      store,
      chunkSize: CHUNK,
      namespace: ns,
      wrapStore: interceptWrites(async (write, _i, call) => (call === 1 ? Promise.reject(quotaError()) : write())),
    });
    expect(await readAllMismatch(src, 32)).toBe(-1);
    await src.close();
    await held.close();
    expect((await listCached({ namespace: ns })).map((e) => e.key).sort()).toEqual(['oldest-but-open', 'writer']);
  });

  it('fails with STORAGE_QUOTA and the numbers when nothing else can be evicted', async () => {
    const ns = freshNamespace(`full-${store}`);
    const src = await CachedSource.open(new CountingRemote(SIZE, { seed: 33 }), {
      key: 'alone',
      store,
      chunkSize: CHUNK,
      namespace: ns,
      wrapStore: interceptWrites(() => Promise.reject(quotaError())),
    });
    // A download (the whole file into the cache) fails: the bytes cannot be kept.
    const err = await src.download(0, () => new Uint8Array(CHUNK)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_QUOTA', message: expect.stringContaining('alone') });
    const { details } = err as { details: Record<string, unknown> };
    expect(details.needed).toBe(CHUNK);
    expect(details.available).toBeTypeOf('number');
    expect(details.quota).toBeGreaterThan(0);
    expect(src.stats().chunksCached).toBe(0);
    // A read is answered from the network all the same (a full store), and keeps nothing.
    const bytes = new Uint8Array(SIZE);
    await src.readInto(0, bytes);
    expect(firstPatternMismatch(bytes, 0, 33)).toBe(-1);
    expect(src.stats()).toMatchObject({ chunksCached: 0, unstoredBytes: expect.any(Number) });
    await src.close();
  });

  it('refuses at open a model larger than the quota, with the numbers, and evicts nothing for it', async () => {
    const ns = freshNamespace(`huge-${store}`);
    await cacheModel(ns, 'bystander');
    const TiB = 2 ** 40;
    const err = await CachedSource.open(new CountingRemote(TiB), { key: 'huge', store, chunkSize: 1 << 20, namespace: ns }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_QUOTA', message: expect.stringMatching(/huge: needs 1099511627776 bytes/) });
    const { details } = err as { details: { needed: number; available: number; quota: number } };
    expect(details.needed).toBe(TiB);
    expect(details.available).toBeLessThan(TiB);
    expect(details.quota).toBeGreaterThan(0);
    expect((await listCached({ namespace: ns })).map((e) => e.key)).toEqual(['bystander']);
  });
});
