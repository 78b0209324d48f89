/**
 * A real storage quota (CDP `Storage.overrideQuotaForOrigin`, set just above
 * what the origin uses now): a download that does not fit fails with
 * STORAGE_QUOTA naming the bytes needed and written, deletes its partial
 * entry, and the next load works; a write that fails for quota evicts other
 * entries (a disposed model's included) and goes on; in lazy mode a read
 * whose bytes cannot be stored is answered from the network, each piece
 * fetched once. The decision rests on the write failures, not on
 * `navigator.storage.estimate()`.
 */
import { afterEach, beforeAll, afterAll, expect, inject, it } from 'vitest';
import { cdp } from 'vitest/browser';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { servedModel } from '../servers/model-list.ts';
import { serverStats, unique } from '../servers/urls.ts';

const MiB = 2 ** 20;
const size = servedModel('small.gguf').size;
let rt: Runtime;
beforeAll(async () => void (rt = await createRuntime({ budget: 16 << 20 })));
afterAll(() => rt.dispose());
afterEach(() => setQuota(undefined));

/** Limits the origin to what it uses now plus `room` bytes (undefined: lifts the limit). */
async function setQuota(room: number | undefined): Promise<void> {
  const usage = (await navigator.storage.estimate()).usage ?? 0;
  await cdp().send('Storage.overrideQuotaForOrigin', { origin: location.origin, ...(room === undefined ? {} : { quotaSize: usage + room }) });
}

const rangeBytes = (ranges: string[]) =>
  ranges.reduce((n, r) => {
    const m = /bytes=(\d+)-(\d+)/.exec(r);
    return n + (m ? Number(m[2]) - Number(m[1]) + 1 : 0);
  }, 0);

for (const cache of ['opfs', 'idb'] as const) {
  it(`${cache}: a download over the quota fails STORAGE_QUOTA with the bytes needed and written, deletes its partial entry, and the next load works`, async () => {
    const url = `${inject('rangeBase')}/small.gguf?t=${unique()}`;
    await setQuota(2 * MiB);
    const err = await rt.load(url, { cache }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; details: Record<string, number> },
    );
    expect(err?.code, err?.message).toBe('STORAGE_QUOTA');
    expect(err!.details.needed).toBe(size);
    expect(err!.details.written).toBeLessThan(size);
    expect(err!.message).toMatch(new RegExp(`needs ${size} bytes .*${err!.details.written} were written`));
    expect(
      (await rt.cache.list()).some((e) => e.key === url),
      'the partial entry is deleted',
    ).toBe(false);

    await setQuota(64 * MiB);
    const m = await rt.load(url, { cache });
    expect((await rt.cache.list()).find((e) => e.key === url)?.bytesCached).toBe(size);
    await m.dispose();
    await rt.cache.delete(url);
  });
}

it("a write that fails for quota evicts a disposed model's entry and goes on", async () => {
  const old = `${inject('rangeBase')}/small.gguf?t=${unique()}`;
  const m = await rt.load(old, { cache: 'opfs' });
  await m.dispose();
  // Room for about half of the new model: it fits only once the old one (and what else is closed) is evicted.
  await setQuota(size / 2);
  const url = `${inject('rangeBase')}/small.gguf?t=${unique()}`;
  const fresh = await rt.load(url, { cache: 'opfs' });
  const keys = (await rt.cache.list()).map((e) => e.key);
  expect(keys).toContain(url);
  expect(keys).not.toContain(old);
  await fresh.dispose();
  await setQuota(undefined);
  await rt.cache.delete(url);
});

it('lazy: a read whose bytes cannot be stored is answered from the network, each piece fetched once', async () => {
  const tag = unique('lazy');
  const url = `${inject('rangeBase')}/small.gguf?t=${unique()}&tag=${tag}`;
  const m = await rt.load(url, { cache: 'opfs', download: false, policy: { kind: 'budget', ramBytes: 12 << 20 } });
  await setQuota(0);
  const names = m.info.tensors.map((t) => t.name);
  const expected = new Uint8Array(size);
  await servedModel('small.gguf').readInto(0, expected);
  const read = async (name: string) => {
    const t = m.info.tensors.find((x) => x.name === name)!;
    const got = await m.readTensor(name);
    const want = expected.subarray(t.offset, t.offset + t.size);
    expect(got.length === want.length && got.every((b, i) => b === want[i]), `${name}: the file's bytes`).toBe(true);
    return t.size;
  };
  // The first read finds the store full (its whole chunk was fetched, and could not be kept) ...
  await read(names[0]);
  const before = rangeBytes((await serverStats(inject('rangeBase'), tag)).ranges);
  // ... from then on each read fetches its own bytes only: none twice.
  let sizes = 0;
  for (const name of names.slice(1)) {
    sizes += await read(name);
  }
  const asked = rangeBytes((await serverStats(inject('rangeBase'), tag)).ranges) - before;
  expect(asked, 'bytes fetched for the later reads').toBeLessThanOrEqual(sizes);
  expect((await rt.cache.list()).find((e) => e.key === url)?.bytesCached ?? 0, 'the store was full').toBeLessThan(size);
  await m.dispose();
  await setQuota(undefined);
  await rt.cache.delete(url).catch(() => false);
});
