import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, isGgufPagerError, type LoadProgress, type Runtime } from '../../src/index.ts';
import { servedModel } from '../servers/model-list.ts';
import { unique } from '../servers/urls.ts';

let rt: Runtime;
beforeAll(async () => void (rt = await createRuntime({ budget: 16 << 20 })));
afterAll(() => rt.dispose());

it('a load cancelled mid-download resumes: the next load fetches only the chunks still missing', async () => {
  const size = servedModel('small.gguf').size;
  // A slow body (16 KiB every 2 ms) so the cancel lands mid-download.
  const url = `${inject('rangeBase')}/fault/slow/2/small.gguf?t=${unique()}`;
  const ac = new AbortController();
  let fetchedBeforeAbort = 0;
  const first = await rt
    .load(url, {
      cache: 'idb',
      signal: ac.signal,
      onProgress: (p: LoadProgress) => {
        if (p.phase === 'download' && p.bytesDone >= size / 3 && !ac.signal.aborted) {
          fetchedBeforeAbort = p.fromNetwork;
          ac.abort();
        }
      },
    })
    .then(
      () => 'loaded',
      (e: unknown) => e,
    );
  expect(isGgufPagerError(first, 'SOURCE_ABORTED'), String(first)).toBe(true);
  expect(fetchedBeforeAbort).toBeGreaterThan(0);

  const [entry] = (await rt.cache.list()).filter((e) => e.key === url);
  expect(entry.bytesCached).toBeGreaterThanOrEqual(fetchedBeforeAbort);
  expect(entry.bytesCached).toBeLessThan(size);

  const events: LoadProgress[] = [];
  const m = await rt.load(url, { cache: 'idb', onProgress: (p) => events.push(p) });
  const again = (await m.stats()).fromNetwork;
  expect(again).toBe(size - entry.bytesCached); // nothing fetched twice
  expect(events.at(-1)!.phase).toBe('ready');
  expect((await rt.cache.list()).find((e) => e.key === url)!.bytesCached).toBe(size);
  await m.dispose();
}, 60_000);
