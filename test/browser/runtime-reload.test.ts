import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { unique } from '../servers/urls.ts';

let rt: Runtime;
beforeAll(async () => void (rt = await createRuntime({ budget: 16 << 20 })));
afterAll(() => rt.dispose());

it('loads one cached URL again under another policy, sharing its on-device cache entry', async () => {
  const url = `${inject('rangeBase')}/small.gguf?t=${unique()}`;
  const a = await rt.load(url, { cache: 'idb', policy: { kind: 'budget', ramBytes: 8 << 20, eviction: 'auto' } });
  const b = await rt.load(url, { cache: 'idb', policy: { kind: 'budget', ramBytes: 4 << 20, eviction: 'lru' } });
  expect(b.info.budgetBytes).toBe(4 << 20);
  expect((await b.stats()).fromNetwork).toBe((await a.stats()).fromNetwork); // one source, fetched once
  expect(await b.readTensor('output_norm.weight')).toEqual(await a.readTensor('output_norm.weight'));
  await a.dispose();
  await b.dispose();
  const c = await rt.load(url, { cache: 'idb', policy: { kind: 'budget', ramBytes: 2 << 20, eviction: 'lru' } });
  expect(c.info.budgetBytes).toBe(2 << 20);
  await c.dispose();
});
