import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { servedModel } from '../servers/model-list.ts';
import { unique } from '../servers/urls.ts';
import type { EngineRuntime } from './workers/engine-worker.ts';

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime({ budget: 16 << 20, worker: () => new Worker(new URL('./workers/engine-worker.ts', import.meta.url), { type: 'module' }) });
});
afterAll(() => rt.dispose());

it('lets code in a custom worker lease a whole block from the arena through pagerOf()', async () => {
  const m = await rt.load(`${inject('rangeBase')}/small.gguf?t=${unique()}`, { cache: 'none' });
  const engine = rt.extension<EngineRuntime>();
  const r = await engine.layerChecksum(m.info.id, 1);
  const gen = servedModel('small.gguf');
  const block1 = m.info.tensors.filter((t) => t.block === 1);
  let want = 0;
  for (const t of block1) for (const b of gen.tensorBytes(t.name)) want = (want + b) >>> 0;
  expect(r.tensors).toBe(block1.length);
  expect(r.sum).toBe(want);
  expect(r.leasedDuring).toBe(block1.reduce((a, t) => a + t.size, 0));
  expect(r.leasedAfter).toBe(0);
  await m.dispose();
});
