/** Options and URLs checked on the page, before the worker, the network or storage are touched. */
import { afterEach, expect, inject, it } from 'vitest';
import { createRuntime, isGgufPagerError, type Runtime } from '../../src/index.ts';
import { serverStats, serverUrl, unique } from '../servers/urls.ts';

let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.dispose();
  rt = undefined;
});

const code = (e: unknown) => (isGgufPagerError(e) ? `${e.code}: ${e.message}` : String(e));

it('refuses a budget of -5, NaN or Infinity at createRuntime with INVALID_ARGUMENT naming budget', async () => {
  for (const budget of [-5, Number.NaN, Number.POSITIVE_INFINITY]) {
    const e = await createRuntime({ budget }).then(
      () => 'started',
      (x: unknown) => x,
    );
    expect(code(e)).toMatch(/^INVALID_ARGUMENT: .*option budget =/);
  }
});

it("refuses cache 's3', ramBytes -5 and a javascript: URL at load, and the server sees no request", async () => {
  rt = await createRuntime({ budget: 8 << 20 });
  const tag = unique('opts');
  const url = serverUrl(inject('rangeBase'), 'stories260K.gguf', { tag });
  const bad = [
    rt.load(url, { cache: 's3' as 'auto' }),
    rt.load(url, { policy: { kind: 'budget', ramBytes: -5 } }),
    rt.load('javascript:alert(1)'),
    rt.load('data:application/octet-stream,GGUF'),
  ];
  const errors = await Promise.all(
    bad.map((p) =>
      p.then(
        () => 'loaded',
        (x: unknown) => code(x),
      ),
    ),
  );
  expect(errors[0]).toMatch(/^INVALID_ARGUMENT: .*option cache = "s3"/);
  expect(errors[1]).toMatch(/^INVALID_ARGUMENT: .*option policy.ramBytes = -5/);
  expect(errors[2]).toMatch(/^INVALID_ARGUMENT: .*javascript:/);
  expect(errors[3]).toMatch(/^INVALID_ARGUMENT: .*data:/);
  expect((await serverStats(inject('rangeBase'), tag)).requests).toBe(0);
  expect((await rt.cache.list()).filter((e) => e.key === url)).toEqual([]);
});
