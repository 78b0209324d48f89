/**
 * Integrity of what is cached, through the runtime (worker, OPFS) against the
 * range server: the `integrity` option (SRI and hex), a digest ETag checked
 * without being asked, a server that serves wrong bytes for one range (the
 * load fails, nothing stays cached), a resumed download checked over the
 * union of its chunks, and `rt.cache.verify`.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, isGgufPagerError, type LoadProgress, type Runtime } from '../../src/index.ts';
import { servedModel } from '../servers/model-list.ts';
import { unique } from '../servers/urls.ts';
import { headerReads } from './header-reads.ts';

let rt: Runtime;
let hex = '';
let sri = '';
beforeAll(async () => {
  rt = await createRuntime({ budget: 16 << 20 });
  // The reference digest, by WebCrypto over the whole file.
  const bytes = await (await fetch(`${inject('rangeBase')}/small.gguf?t=${unique()}`, { cache: 'no-store' })).arrayBuffer();
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  hex = Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
  sri = `sha256-${btoa(String.fromCharCode(...d))}`;
});
afterAll(() => rt.dispose());

const url = (faults = '') => `${inject('rangeBase')}${faults}/small.gguf?t=${unique()}`;
const cachedKeys = async () => (await rt.cache.list()).map((e) => e.key);

it('a download that matches the integrity option (SRI form) loads, reports the check, and verify() says intact', async () => {
  const u = url();
  const m = await rt.load(u, { integrity: sri });
  expect(m.info.integrity).toEqual([{ url: u, sha256: hex, source: 'option', verified: true }]);
  await m.dispose();
  expect(await rt.cache.verify(u)).toMatchObject({ key: u, sha256: hex, expected: hex, source: 'recorded', intact: true, complete: true });
  expect((await rt.cache.verify(u, '0'.repeat(64))).intact).toBe(false);
});

it('a wrong digest (hex form) fails with INTEGRITY_MISMATCH naming the URL, and the entry is deleted', async () => {
  const u = url();
  const err = await rt.load(u, { integrity: 'f'.repeat(64) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isGgufPagerError(err, 'INTEGRITY_MISMATCH'), String(err)).toBe(true);
  expect((err as Error).message).toContain(u);
  expect((err as Error).message).toContain(hex);
  expect(await cachedKeys()).not.toContain(u);
});

it('a strong ETag that is a SHA-256 is checked without being asked, and reported', async () => {
  const u = url('/fault/sha256-etag');
  const m = await rt.load(u);
  expect(m.info.integrity).toEqual([{ url: u, sha256: hex, source: 'etag', verified: true }]);
  await m.dispose();
});

it('a server that serves wrong bytes for one range fails the load (digest ETag), and nothing stays cached', async () => {
  // The open's probe and the header's reads (made from the network before the cache is opened) are spared:
  // the first download request gets the flipped byte.
  const u = url(`/fault/after/${1 + (await headerReads('small.gguf'))}/sha256-etag/corrupt-once`);
  const err = await rt.load(u).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isGgufPagerError(err, 'INTEGRITY_MISMATCH'), String(err)).toBe(true);
  expect((err as Error).message).toContain("the server's ETag");
  expect(await cachedKeys()).not.toContain(u);
  // The next load fetches everything again and passes.
  const m = await rt.load(u);
  expect(m.info.integrity?.[0]).toMatchObject({ sha256: hex, source: 'etag' });
  await m.dispose();
});

it("a resumed download is checked over the union of its chunks, the earlier session's included", async () => {
  const size = servedModel('small.gguf').size;
  const u = url('/fault/slow/2');
  const ac = new AbortController();
  const first = await rt
    .load(u, {
      signal: ac.signal,
      onProgress: (p: LoadProgress) => {
        if (p.phase === 'download' && p.bytesDone > 0 && p.bytesDone < size) ac.abort();
      },
    })
    .then(
      () => 'loaded',
      (e: unknown) => e,
    );
  expect(isGgufPagerError(first, 'SOURCE_ABORTED'), String(first)).toBe(true);
  const entry = (await rt.cache.list()).find((e) => e.key === u)!;
  expect(entry.bytesCached).toBeGreaterThan(0);
  expect(entry.bytesCached).toBeLessThan(size);
  const m = await rt.load(u, { integrity: hex });
  expect((await m.stats()).fromNetwork).toBe(size - entry.bytesCached);
  expect(m.info.integrity?.[0]).toMatchObject({ sha256: hex, source: 'option', verified: true });
  await m.dispose();
  // And a wrong digest over a resumed entry deletes it.
  const u2 = url('/fault/slow/2');
  const ac2 = new AbortController();
  await rt
    .load(u2, {
      signal: ac2.signal,
      onProgress: (p) => {
        if (p.phase === 'download' && p.bytesDone > 0) ac2.abort();
      },
    })
    .catch(() => undefined);
  const err = await rt.load(u2, { integrity: '0'.repeat(64) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isGgufPagerError(err, 'INTEGRITY_MISMATCH'), String(err)).toBe(true);
  expect(await cachedKeys()).not.toContain(u2);
}, 60_000);

it('loading a model already loaded, with a digest it does not have, checks the cached bytes', async () => {
  const u = url();
  const m = await rt.load(u);
  expect(m.info.integrity).toEqual([]);
  const again = await rt.load(u, { integrity: sri });
  expect(again.info.integrity).toEqual([{ url: u, sha256: hex, source: 'option', verified: true }]);
  await expect(rt.load(u, { integrity: '1'.repeat(64) })).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  await again.dispose();
  await m.dispose();
});

it('an integrity that is neither form, or with no download to check, is INVALID_ARGUMENT', async () => {
  await expect(rt.load(url(), { integrity: 'md5-abc' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(rt.load(url(), { integrity: hex, cache: 'none' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
});
