import { afterAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { OpfsSource } from '../../src/sources/opfs/source.ts';
import { OpfsWriter } from '../../src/sources/opfs/writer.ts';
import { removeOpfsEntry } from '../../src/sources/opfs/file.ts';
import { READ_SLICE_BYTES } from '../../src/sources/opfs/async-file.ts';
import { installErrorTransfer } from '../../src/runtime/transfer.ts';
import { fillPattern, firstPatternMismatch } from '../servers/pattern.ts';
import type { OpfsWorkerApi } from './workers/opfs-worker.ts';

const DIR = `test-opfs-page-${Date.now()}`;

afterAll(async () => {
  await removeOpfsEntry(DIR);
});

async function writePattern(path: string, size: number, seed: number, piece: number): Promise<void> {
  const w = await OpfsWriter.open(path, { truncate: true });
  for (let at = 0; at < size; at += piece) await w.write(at, fillPattern(new Uint8Array(Math.min(piece, size - at)), at, seed));
  await w.close();
}

describe('OpfsSource and OpfsWriter on the page (no sync handles)', () => {
  it('uses the page path: createWritable to write, getFile() slices to read', async () => {
    const path = `${DIR}/a.bin`;
    const w = await OpfsWriter.open(path, { truncate: true });
    expect(w.sync).toBe(false);
    await w.write(0, new Uint8Array([5, 6, 7]));
    await w.close();
    const src = await OpfsSource.open(path);
    expect(src.sync).toBe(false);
    expect(src.name).toBe(`opfs:${path}`);
    await src.close();
  });

  it('round-trips a file larger than one read slice, at any offset', async () => {
    const path = `${DIR}/b.bin`;
    const size = READ_SLICE_BYTES + (1 << 20) + 3;
    await writePattern(path, size, 11, 3 << 20);
    const src = await OpfsSource.open(path);
    expect(src.size).toBe(size);
    const all = new Uint8Array(size);
    await src.readInto(0, all);
    expect(firstPatternMismatch(all, 0, 11)).toBe(-1);
    const mid = new Uint8Array(READ_SLICE_BYTES + 10);
    await src.readInto(5, mid);
    expect(firstPatternMismatch(mid, 5, 11)).toBe(-1);
    await src.close();
  });

  it('makes writes visible only after flush, and all of them at once', async () => {
    const path = `${DIR}/c.bin`;
    await writePattern(path, 100, 12, 100);
    const w = await OpfsWriter.open(path);
    await w.write(10, new Uint8Array([1, 1, 1]));
    await w.write(90, new Uint8Array([2, 2]));
    const before = new Uint8Array(100);
    await (await OpfsSource.open(path)).readInto(0, before);
    expect(firstPatternMismatch(before, 0, 12)).toBe(-1);
    await w.flush();
    const after = new Uint8Array(100);
    await (await OpfsSource.open(path)).readInto(0, after);
    expect(Array.from(after.subarray(10, 13))).toEqual([1, 1, 1]);
    expect(Array.from(after.subarray(90, 92))).toEqual([2, 2]);
    expect(firstPatternMismatch(after.subarray(13, 90), 13, 12)).toBe(-1);
    await w.close();
  });

  it('rejects a read past the end with SOURCE_EOF and a missing file with SOURCE_NOT_FOUND', async () => {
    const path = `${DIR}/d.bin`;
    await writePattern(path, 50, 13, 50);
    const src = await OpfsSource.open(path);
    await expect(src.readInto(40, new Uint8Array(11))).rejects.toMatchObject({ code: 'SOURCE_EOF', message: expect.stringContaining('offset 40') });
    await expect(OpfsSource.open(`${DIR}/nope.bin`)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND', message: expect.stringContaining('nope.bin') });
  });

  it('reads in a worker, through a sync handle, what the page wrote', async () => {
    installErrorTransfer();
    const path = `${DIR}/e.bin`;
    await writePattern(path, 70_000, 14, 30_000);
    const worker = new Worker(new URL('./workers/opfs-worker.ts', import.meta.url), { type: 'module' });
    const api = Comlink.wrap<OpfsWorkerApi>(worker);
    expect(await api.readIntoWasm(path, 3, 69_990, 14)).toMatchObject({ sync: true, mismatch: -1 });
    worker.terminate();
  });
});
