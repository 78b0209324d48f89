// A model stored in OPFS, handed to the runtime as its FileSystemFileHandle: the worker reads it in place through
// a sync access handle (OpfsSource.fromHandle); the bytes it leases are the file's; a page reads it through getFile().
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { isGgufPagerError } from '../../src/errors.ts';
import { OpfsSource } from '../../src/sources/opfs/source.ts';
import { servedModel } from '../servers/model-list.ts';
import { unique } from '../servers/urls.ts';
import type { EngineRuntime } from './workers/engine-worker.ts';

const DIR = 'gguf-pager-test-handles';
let rt: Runtime;

async function stored(name: string): Promise<FileSystemFileHandle> {
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
  const handle = await dir.getFileHandle(name, { create: true });
  const w = await handle.createWritable();
  for (const chunk of servedModel('small.gguf').chunks(1 << 20)) await w.write(chunk);
  await w.close();
  return handle;
}

beforeAll(async () => {
  rt = await createRuntime({ budget: 16 << 20, worker: () => new Worker(new URL('./workers/engine-worker.ts', import.meta.url), { type: 'module' }) });
});
afterAll(async () => {
  await rt.dispose();
  await (await navigator.storage.getDirectory()).removeEntry(DIR, { recursive: true }).catch(() => undefined);
});

it("loads a model from its OPFS file handle and leases the file's own bytes; two loads of one handle read side by side", async () => {
  const handle = await stored(`m-${unique()}.gguf`);
  const gen = servedModel('small.gguf');
  const [a, b] = await Promise.all([rt.load(handle), rt.load(handle, { policy: { kind: 'budget', ramBytes: 8 << 20 } })]);
  const engine = rt.extension<EngineRuntime>();
  for (const m of [a, b]) {
    const block1 = m.info.tensors.filter((t) => t.block === 1);
    let want = 0;
    for (const t of block1) for (const x of gen.tensorBytes(t.name)) want = (want + x) >>> 0;
    const r = await engine.layerChecksum(m.info.id, 1);
    expect(r.sum).toBe(want);
    expect(r.leasedAfter).toBe(0);
  }
  await a.dispose();
  await b.dispose();
});

it('in a page (no sync access handles) the same handle reads through its File', async () => {
  const handle = await stored(`p-${unique()}.gguf`);
  const src = await OpfsSource.fromHandle(handle);
  expect(src.sync).toBe(false);
  expect(src.name).toBe(`opfs:${handle.name}`);
  expect(src.size).toBe((await handle.getFile()).size);
  const bytes = new Uint8Array(4096);
  await src.readInto(1000, bytes);
  const whole = new Uint8Array(await (await handle.getFile()).arrayBuffer());
  expect(bytes).toEqual(whole.subarray(1000, 1000 + 4096));
  await src.close();
});

it('a handle whose file was removed fails to load with SOURCE_NOT_FOUND naming it', async () => {
  const name = `gone-${unique()}.gguf`;
  const handle = await stored(name);
  await (await (await navigator.storage.getDirectory()).getDirectoryHandle(DIR)).removeEntry(name);
  const err = await rt.load(handle).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isGgufPagerError(err, 'SOURCE_NOT_FOUND'), String(err)).toBe(true);
  expect((err as Error).message).toContain(name);
});
