import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRuntime, isGgufPagerError, type LoadProgress, type Runtime } from '../../src/index.ts';
import { servedModel } from '../servers/model-list.ts';
import { unique } from '../servers/urls.ts';

const base = inject('rangeBase');
const small = () => `${base}/small.gguf?t=${unique()}`;
const smallModel = servedModel('small.gguf');
const MiB = 2 ** 20;

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime({ budget: 16 * MiB });
});
afterAll(() => rt.dispose());

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(isGgufPagerError(e), `expected a GgufPagerError, got ${String(e)}`).toBe(true);
  return (e as { code: string }).code;
}

describe('the runtime in its worker', () => {
  it('loads a GGUF over HTTP and describes it: metadata, every tensor, the pinned set', async () => {
    const m = await rt.load(small(), { cache: 'none' });
    expect(m.info.architecture).toBe('llama');
    expect(m.info.tensors.map((t) => t.name)).toEqual(smallModel.layout.tensors.map((t) => t.name));
    expect(m.info.tensors.map((t) => t.offset)).toEqual(smallModel.layout.tensors.map((t) => t.offset));
    expect(m.info.totalBytes).toBe(smallModel.layout.tensors.reduce((a, t) => a + t.size, 0));
    expect(m.info.fileSize).toBe(smallModel.size);
    expect(m.info.metadata.find(([k]) => k === 'general.architecture')?.[1]).toBe('llama');
    await m.dispose();
  });

  it("hands out a copy of a tensor that is byte for byte the file's", async () => {
    const m = await rt.load(small(), { cache: 'none' });
    for (const name of ['token_embd.weight', 'blk.1.attn_k.weight', 'output.weight']) {
      const got = await m.readTensor(name);
      expect(got.length).toBe(smallModel.tensorBytes(name).length);
      expect(got).toEqual(smallModel.tensorBytes(name));
    }
    await m.dispose();
  });

  it('reports progress from header to ready, and through the download when caching', async () => {
    const events: LoadProgress[] = [];
    const m = await rt.load(small(), { cache: 'idb', onProgress: (p) => events.push(p) });
    const phases = [...new Set(events.map((e) => e.phase))];
    expect(phases[0]).toBe('header');
    expect(phases).toContain('download');
    expect(phases.at(-1)).toBe('ready');
    const lastDownload = events.filter((e) => e.phase === 'download').at(-1)!;
    expect(lastDownload.bytesDone).toBe(smallModel.size);
    expect(lastDownload.bytesTotal).toBe(smallModel.size);
    expect(events.at(-1)!.fromNetwork).toBeGreaterThanOrEqual(smallModel.size);
    await m.dispose();
  });

  it('keeps resident bytes within the budget while forward passes page the model through it', async () => {
    const budget = 3 * MiB; // the model is 6 MiB
    const m = await rt.load(small(), { cache: 'none', policy: { kind: 'budget', ramBytes: budget } });
    const before = (await rt.stats()).memoryBytes;
    const samples: number[] = [];
    const s = await m.pagingDryRun({ tokens: 3 }, (x) => samples.push(x.residentBytes));
    expect(samples.length).toBe(3 * m.info.blockCount + 6);
    for (const r of samples) expect(r).toBeLessThanOrEqual(budget);
    expect(s.maxResidentBytes).toBeLessThanOrEqual(budget);
    expect(s.misses).toBeGreaterThan(0);
    expect(s.bytesLoaded).toBeGreaterThan(smallModel.size); // it really paged: more bytes read than the file holds
    expect((await rt.stats()).memoryBytes).toBe(before);
    await m.dispose();
  });

  it('sends errors from the worker with their code: 404, an HTML page, a tensor larger than the budget', async () => {
    expect(await codeOf(rt.load(`${base}/missing.gguf`, { cache: 'none' }))).toBe('HTTP_STATUS');
    expect(await codeOf(rt.load(`${base}/fault/html/small.gguf?t=${unique()}`, { cache: 'none' }))).toBe('HTTP_NOT_MODEL');
    // A budget below the largest tensor is refused at load (fit-check.ts), not at the first read.
    expect(await codeOf(rt.load(small(), { cache: 'none', policy: { kind: 'budget', ramBytes: 64 * 1024 } }))).toBe('PAGER_TENSOR_TOO_LARGE');
    const m = await rt.load(small(), { cache: 'none' });
    await m.dispose();
    expect(await codeOf(m.stats())).toBe('MODEL_DISPOSED');
    await m.dispose(); // disposing twice is harmless
  });

  it('refuses calls after dispose with RUNTIME_DISPOSED', async () => {
    const other = await createRuntime({ budget: 4 * MiB });
    await other.dispose();
    expect(await codeOf(other.load(small()))).toBe('RUNTIME_DISPOSED');
  });
});

describe('warm-up and prefetch through the runtime', () => {
  it('warm-up loads the pinned set and passes once over the model, and says what it loaded', async () => {
    const m = await rt.load(small(), {
      cache: 'none',
      policy: { kind: 'pinnedHotSet', ramBytes: 16 * MiB, pinEmbeddings: true, pinOutputHead: true, pinLastNLayers: 1, prefetchNAhead: 1 },
    });
    expect(m.info.tensors.filter((t) => t.pinned).map((t) => t.name)).toContain('token_embd.weight');
    const w = await m.warmup();
    expect(w.elapsedMs).toBeGreaterThan(0);
    expect(w.tensorsLoaded).toBeGreaterThan(0);
    expect(w.bytesLoaded).toBeGreaterThan(0);
    const s = await m.stats();
    expect(s.residentCount).toBe(m.info.tensors.length); // 16 MiB holds the whole 6 MiB model
    await m.dispose();
  });

  it('prefetch by block index makes that block resident without a lease', async () => {
    const m = await rt.load(small(), { cache: 'none', policy: { kind: 'budget', ramBytes: 16 * MiB } });
    await m.prefetch([2]);
    const block2 = m.info.tensors.filter((t) => t.block === 2);
    const s = await m.stats();
    expect(s.bytesLoaded).toBe(block2.reduce((a, t) => a + t.size, 0));
    expect(s.leasedBytes).toBe(0);
    expect(await codeOf(m.prefetch([999]))).toBe('INVALID_ARGUMENT');
    await m.dispose();
  });
});
