/**
 * Refuse before downloading, and leave nothing behind: a body that is not
 * GGUF, a header over the limits, and a budget that cannot hold the largest
 * tensor all fail having fetched only the header, and store nothing; a load
 * that fails before its first chunk is stored leaves no 0-byte entry.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { servedModel } from '../servers/model-list.ts';
import { serverStats, unique } from '../servers/urls.ts';
import { headerReads } from './header-reads.ts';

let rt: Runtime;
beforeAll(async () => void (rt = await createRuntime({ budget: 8 << 20 })));
afterAll(() => rt.dispose());

const rangeBytes = (ranges: string[]) =>
  ranges.reduce((n, r) => {
    const m = /bytes=(\d+)-(\d+)/.exec(r);
    return n + (m ? Number(m[2]) - Number(m[1]) + 1 : 0);
  }, 0);

/** Loads `file` behind `faults` with `cache`; resolves with the error, the bytes the server was asked for, and whether an entry is left. */
async function failedLoad(file: string, faults: string, cache: 'opfs' | 'idb' = 'opfs') {
  const tag = unique('refuse');
  const url = `${inject('rangeBase')}/${faults}${file}?t=${unique()}&tag=${tag}`;
  const error = await rt.load(url, { cache }).then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string; details?: Record<string, unknown> },
  );
  const asked = rangeBytes((await serverStats(inject('rangeBase'), tag)).ranges);
  const entry = (await rt.cache.list()).find((e) => e.key === url);
  return { error, asked, entry };
}

const big = servedModel('big.gguf').size;

for (const cache of ['opfs', 'idb'] as const) {
  it(`${cache}: a large body that is not GGUF fails GGUF_BAD_MAGIC after its first bytes, and caches nothing`, async () => {
    const r = await failedLoad('big.gguf', 'fault/html-front/', cache);
    expect(r.error?.code, r.error?.message).toBe('GGUF_BAD_MAGIC');
    expect(r.asked, `bytes asked of a ${big}-byte body`).toBeLessThanOrEqual(1 << 20);
    expect(r.entry, 'no cache entry').toBeUndefined();
  });
}

it('a header claiming 10 M tensors fails GGUF_LIMIT before any piece is stored', async () => {
  const r = await failedLoad('big.gguf', 'fault/tensor-count/10000000/');
  expect(r.error?.code, r.error?.message).toBe('GGUF_LIMIT');
  expect(r.asked).toBeLessThanOrEqual(1 << 20);
  expect(r.entry).toBeUndefined();
});

it('a budget below the largest tensor is refused at load with PAGER_TENSOR_TOO_LARGE, naming the tensor and the budget that would do', async () => {
  const r = await failedLoad('big.gguf', '');
  expect(r.error?.code, r.error?.message).toBe('PAGER_TENSOR_TOO_LARGE');
  // the largest tensor the engine leases whole: a block's (a head over the budget is streamed, embeddings are read by rows)
  expect(r.error?.message).toMatch(/tensor blk\.\d+\.[\w.]+ \(\d+ bytes\) can never fit/);
  expect(r.error?.message).toMatch(/a runtime budget of at least \d+ bytes would do/);
  const needed = Number(/at least (\d+) bytes/.exec(r.error!.message)![1]);
  expect(needed).toBeGreaterThan(8 << 20);
  expect(r.asked, 'only the header was read').toBeLessThanOrEqual(1 << 20);
  expect(r.entry).toBeUndefined();
});

it('a load that fails before its first chunk is stored (HTTP_BAD_LENGTH) leaves no 0-byte entry', async () => {
  // The open's probe and the header's reads are spared; every download request then gets a short body.
  const r = await failedLoad('small.gguf', `fault/after/${1 + (await headerReads('small.gguf'))}/fault/short-body/`);
  expect(r.error?.code, r.error?.message).toBe('HTTP_BAD_LENGTH');
  expect(r.entry, 'no entry left').toBeUndefined();
});

it('a model already in the cache reads its header from the device: a second load asks the server for the probe byte only', async () => {
  const tag = unique('again');
  const url = `${inject('rangeBase')}/small.gguf?t=${unique()}&tag=${tag}`;
  const m = await rt.load(url, { cache: 'opfs' });
  await m.dispose();
  const first = rangeBytes((await serverStats(inject('rangeBase'), tag)).ranges);
  const again = await rt.load(url, { cache: 'opfs' });
  expect(rangeBytes((await serverStats(inject('rangeBase'), tag)).ranges) - first).toBe(1);
  await again.dispose();
  await rt.cache.delete(url);
});
