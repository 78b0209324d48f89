/**
 * A stale model after SOURCE_CHANGED: the file changes on the server while a
 * model reads it lazily. The entry is invalid from then on; the next load of
 * the same URL in the same runtime starts fresh against the new file (with
 * or without disposing the stale model first), and `rt.cache.delete(url)` works.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, type ModelHandle, type Runtime } from '../../src/index.ts';
import { servedModel } from '../servers/model-list.ts';
import { unique } from '../servers/urls.ts';
import { headerReads } from './header-reads.ts';

let rt: Runtime;
beforeAll(async () => void (rt = await createRuntime({ budget: 16 << 20 })));
afterAll(() => rt.dispose());

/** No pins: the load reads nothing but the header, so the file changes at the first tensor read. */
const policy = { kind: 'budget', ramBytes: 8 << 20 } as const;

/** The served file's bytes of `name`, as the new version has them (`change-data-after`: XOR 0x5a past 512 KiB). */
async function newVersionOf(m: ModelHandle, name: string): Promise<Uint8Array> {
  const t = m.info.tensors.find((x) => x.name === name)!;
  expect(t.offset, 'a tensor past the unchanged first 512 KiB').toBeGreaterThanOrEqual(512 << 10);
  const bytes = new Uint8Array(t.size);
  await servedModel('small.gguf').readInto(t.offset, bytes);
  return bytes.map((b) => b ^ 0x5a);
}

for (const disposeFirst of [true, false]) {
  it(`after SOURCE_CHANGED the next load ${disposeFirst ? '(after dispose)' : '(stale model still open)'} reads the new file, and delete works`, async () => {
    // The open's probe and the header's reads see version 1; every later request sees version 2.
    const url = `${inject('rangeBase')}/fault/change-data-after/${1 + (await headerReads('small.gguf'))}/small.gguf?t=${unique()}`;
    const name = 'blk.3.ffn_down.weight';
    const stale = await rt.load(url, { cache: 'opfs', download: false, policy });
    await expect(stale.readTensor(name)).rejects.toMatchObject({ code: 'SOURCE_CHANGED' });
    if (disposeFirst) await stale.dispose();

    const fresh = await rt.load(url, { cache: 'opfs', download: false, policy });
    expect(fresh.info.id).not.toBe(stale.info.id);
    const got = await fresh.readTensor(name);
    expect(got).toEqual(await newVersionOf(fresh, name));
    if (!disposeFirst) await expect(stale.readTensor(name), 'the stale handle keeps failing').rejects.toMatchObject({ code: 'SOURCE_CHANGED' });
    await fresh.dispose();
    if (!disposeFirst) await stale.dispose();
    expect(await rt.cache.delete(url)).toBe(true);
    expect((await rt.cache.list()).some((e) => e.key === url)).toBe(false);
  });
}
