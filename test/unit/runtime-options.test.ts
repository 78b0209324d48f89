/**
 * Every option of start (createRuntime) and load is checked before any network
 * or storage work: INVALID_ARGUMENT naming the option, and the server sees no request.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { WorkerRuntime } from '../../src/runtime/worker-runtime.ts';
import { checkLoadOptions, checkRuntimeOptions } from '../../src/runtime/check-options.ts';
import type { LoadOptions, RuntimeOptions } from '../../src/runtime/protocol.ts';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { genFile } from '../servers/urls.ts';
import { failure, target } from '../servers/http-cases/context.ts';
import { createCore } from '../../src/core/core.ts';
import { GgufPagerError } from '../../src/errors.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { writeGguf } from '../../src/authoring/write.ts';
import { LayerPager } from '../../src/pager/layer-pager.ts';
import { MemorySource } from '../../src/sources/memory.ts';

const MiB = 2 ** 20;
let server: RangeServer;
let rt: WorkerRuntime | undefined;
beforeAll(async () => void (server = await startRangeServer()));
afterAll(() => server.stop());
afterEach(async () => {
  await rt?.dispose();
  rt = undefined;
});

const BAD_START: Array<[Partial<RuntimeOptions> & { budget: number }, string]> = [
  [{ budget: -5 }, 'budget'],
  [{ budget: Number.NaN }, 'budget'],
  [{ budget: Number.POSITIVE_INFINITY }, 'budget'],
  [{ budget: 2 ** 33 }, 'budget'],
  [{ budget: 8 * MiB, kvBytes: -1 }, 'kvBytes'],
  [{ budget: 8 * MiB, kvBytes: 16 * MiB }, 'kvBytes'],
  [{ budget: 8 * MiB, kvType: 'q8' as 'f16' }, 'kvType'],
  [{ budget: 8 * MiB, maxModels: 0 }, 'maxModels'],
  [{ budget: 8 * MiB, modelTtlMs: Number.NaN }, 'modelTtlMs'],
  [{ budget: 8 * MiB, kvPageElems: 1.5 }, 'kvPageElems'],
];

it('refuses a budget, KV or cache option that makes no sense when the runtime starts, naming it', async () => {
  for (const [opts, name] of BAD_START) {
    const err = await failure(new WorkerRuntime().start(opts), 'INVALID_ARGUMENT');
    expect(err.message, JSON.stringify(opts)).toContain(`option ${name} =`);
    expect(err.details.option).toBe(name);
  }
});

const BAD_LOAD: Array<[LoadOptions, string]> = [
  [{ policy: { kind: 'budget', ramBytes: -5 } }, 'policy.ramBytes'],
  [{ policy: { kind: 'budget', ramBytes: Number.NaN } }, 'policy.ramBytes'],
  [{ policy: { kind: 'budget', ramBytes: Number.POSITIVE_INFINITY } }, 'policy.ramBytes'],
  [
    { policy: { kind: 'pinnedHotSet', ramBytes: 4 * MiB, pinEmbeddings: true, pinOutputHead: true, pinLastNLayers: -1, prefetchNAhead: 1 } },
    'policy.pinLastNLayers',
  ],
  [{ policy: { kind: 'paged' } as unknown as LoadOptions['policy'] }, 'policy.kind'],
  [{ cache: 's3' as 'auto' }, 'cache'],
  [{ contextLength: 0 }, 'contextLength'],
  [{ batchSize: Number.NaN }, 'batchSize'],
  [{ download: 'yes' as unknown as boolean }, 'download'],
];

it("refuses ramBytes -5, NaN or Infinity, cache 's3' and other bad load options before any request", async () => {
  rt = new WorkerRuntime();
  await rt.start({ budget: 8 * MiB });
  const t = target({ base: () => server.url }, genFile(4096, 1));
  for (const [opts, name] of BAD_LOAD) {
    const err = await failure(rt.load(t.url, opts), 'INVALID_ARGUMENT');
    expect(err.message, JSON.stringify(opts)).toContain(`option ${name} =`);
  }
  expect((await t.stats()).requests).toBe(0);
});

it('the pager itself refuses a policy with ramBytes -5 or NaN, naming it (not a "budget of -5 bytes")', async () => {
  const core = await createCore({ arenaBytes: 4 * MiB });
  const bytes = writeGguf({ metadata: [['general.architecture', 'llama']], tensors: [{ name: 'a', type: 'F32', dims: [16], data: new Uint8Array(64) }] });
  const source = new MemorySource(bytes, 'tiny.gguf');
  const model = await parseGguf(source);
  for (const ramBytes of [-5, Number.NaN]) {
    let err: unknown;
    try {
      new LayerPager({ arena: core.arena, sources: [source], model, policy: { kind: 'budget', ramBytes } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GgufPagerError);
    expect((err as GgufPagerError).code).toBe('INVALID_ARGUMENT');
    expect((err as Error).message).toContain('LayerPager: option policy.ramBytes =');
  }
});

it('accepts the documented options and their defaults', () => {
  expect(() => checkRuntimeOptions({})).not.toThrow();
  expect(() =>
    checkRuntimeOptions({
      budget: 64 * MiB,
      kvBytes: 0,
      kvType: 'f32',
      kvPageElems: 4096,
      maxModels: 1,
      modelTtlMs: Number.POSITIVE_INFINITY,
      relaxedWasmUrl: null,
    }),
  ).not.toThrow();
  for (const cache of ['auto', 'opfs', 'idb', 'none'] as const) expect(() => checkLoadOptions({ cache })).not.toThrow();
  expect(() =>
    checkLoadOptions({ policy: { kind: 'none' }, download: false, contextLength: 2048, batchSize: 32, kvType: 'f16', signal: new AbortController().signal }),
  ).not.toThrow();
});

it('refuses a javascript: model URL at load at once, with no retry', async () => {
  rt = new WorkerRuntime();
  await rt.start({ budget: 8 * MiB });
  const err = await failure(rt.load('javascript:alert(1)', { cache: 'none' }), 'INVALID_ARGUMENT');
  expect(err.message).toContain('javascript:');
});
