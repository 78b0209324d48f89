import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../src/runtime/transfer.ts';
import { patternBytes } from '../servers/pattern.ts';
import type { OpfsWorkerApi } from './workers/opfs-worker.ts';

const DIR = `test-opfs-worker-${Date.now()}`;
const MiB = 1 << 20;
let worker: Worker;
let api: Comlink.Remote<OpfsWorkerApi>;

beforeAll(() => {
  installErrorTransfer();
  worker = new Worker(new URL('./workers/opfs-worker.ts', import.meta.url), { type: 'module' });
  api = Comlink.wrap<OpfsWorkerApi>(worker);
});

afterAll(async () => {
  await api.remove(DIR);
  worker.terminate();
});

describe('OpfsSource and OpfsWriter in a worker (sync access handle)', () => {
  it('writes a file in pieces and reads any range of it back into Wasm memory', async () => {
    const path = `${DIR}/a.bin`;
    expect(await api.writePattern(path, 3 * MiB + 7, 1, 1 * MiB + 3)).toEqual({ sync: true, size: 3 * MiB + 7 });
    for (const [offset, length] of [
      [0, 3 * MiB + 7],
      [1, 10],
      [MiB - 5, MiB + 11],
      [3 * MiB, 7],
    ]) {
      const r = await api.readIntoWasm(path, offset, length, 1);
      expect(r, `read of ${length} at ${offset}`).toEqual({ sync: true, size: 3 * MiB + 7, mismatch: -1, growth: 0 });
    }
  });

  it('overwrites bytes in place and leaves the rest of the file alone', async () => {
    const path = `${DIR}/b.bin`;
    await api.writePattern(path, 4096, 2, 4096);
    await api.overwrite(path, 1000, new Uint8Array([9, 8, 7]));
    const around = await api.readBytes(path, 998, 7);
    expect(Array.from(around.subarray(2, 5))).toEqual([9, 8, 7]);
    expect(Array.from(around.subarray(0, 2))).toEqual(Array.from(patternBytes(998, 2, 2)));
    expect(Array.from(around.subarray(5))).toEqual(Array.from(patternBytes(1003, 2, 2)));
    expect((await api.readIntoWasm(path, 1003, 3093, 2)).mismatch).toBe(-1);
  });

  it('truncates, and a read past the new end is SOURCE_EOF naming the file and offset', async () => {
    const path = `${DIR}/c.bin`;
    await api.writePattern(path, 10_000, 3, 10_000);
    expect(await api.truncate(path, 6000)).toBe(6000);
    await expect(api.readBytes(path, 5990, 20)).rejects.toMatchObject({ code: 'SOURCE_EOF', message: expect.stringMatching(/opfs:.*c\.bin.*5990/) });
  });

  it('lets a reader and a writer on the same path share one sync handle', async () => {
    expect(Array.from(await api.readerAndWriterTogether(`${DIR}/d.bin`))).toEqual([1, 2, 3, 4]);
  });

  it('reports a missing file as SOURCE_NOT_FOUND', async () => {
    await expect(api.readBytes(`${DIR}/missing.bin`, 0, 1)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });
});
