import { describe, expect, it } from 'vitest';
import { createStore, get, set } from 'idb-keyval';
import { IdbSource, deleteIdbFile, writeIdbFile } from '../../src/sources/idb/source.ts';
import { fillPattern, firstPatternMismatch, patternBytes } from '../servers/pattern.ts';
import type { PagerSource } from '../../src/sources/source.ts';

const store = createStore(`test-idb-source-${Date.now()}`, 'files');
const KiB = 1024;

/** A file of `size` bytes of pattern `seed`, stored with chunks of `chunkSize`. */
async function storePattern(key: string, size: number, seed: number, chunkSize: number): Promise<IdbSource> {
  await writeIdbFile(key, patternBytes(0, size, seed), { store, chunkSize });
  return IdbSource.open(key, { store });
}

describe('IdbSource', () => {
  it('stores a file as chunks at `${key}:${index}`', async () => {
    await storePattern('layout', 10 * KiB + 5, 1, 4 * KiB);
    const c2 = await get('layout:2', store);
    expect(c2).toBeInstanceOf(ArrayBuffer);
    expect((c2 as ArrayBuffer).byteLength).toBe(2 * KiB + 5);
    expect(await get('layout:3', store)).toBeUndefined();
  });

  it('reads ranges spanning several chunks straight into the target', async () => {
    const src = await storePattern('span', 64 * KiB, 2, 4 * KiB);
    expect(src.chunkSize).toBe(4 * KiB);
    for (const [offset, length] of [
      [0, 64 * KiB],
      [4 * KiB - 1, 2],
      [3, 20 * KiB],
      [8 * KiB, 4 * KiB],
    ]) {
      const buf = new Uint8Array(length + 8);
      const target = buf.subarray(4, 4 + length);
      await src.readInto(offset, target);
      expect(firstPatternMismatch(target, offset, 2), `read of ${length} at ${offset}`).toBe(-1);
      expect(Array.from(buf.subarray(0, 4)).concat(Array.from(buf.subarray(4 + length))), 'bytes around the target').toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    }
  });

  it('reads the last, partial chunk', async () => {
    const src = await storePattern('tail', 9 * KiB + 100, 3, 4 * KiB);
    const t = new Uint8Array(1 * KiB + 150);
    await src.readInto(8 * KiB - 50, t);
    expect(firstPatternMismatch(t, 8 * KiB - 50, 3)).toBe(-1);
  });

  it('rejects a read past the end with SOURCE_EOF naming the file and offset', async () => {
    const src = await storePattern('eof', 5000, 4, 1 * KiB);
    await expect(src.readInto(4990, new Uint8Array(11))).rejects.toMatchObject({
      code: 'SOURCE_EOF',
      message: expect.stringMatching(/idb:eof.*offset 4990/),
    });
    await expect(src.readInto(4990, new Uint8Array(10))).resolves.toBeUndefined();
  });

  it('reports a missing file as SOURCE_NOT_FOUND and a lost chunk as CACHE_CORRUPT', async () => {
    await expect(IdbSource.open('never-written', { store })).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    const src = await storePattern('lost', 8 * KiB, 5, 2 * KiB);
    await set('lost:2', new ArrayBuffer(10), store);
    await expect(src.readInto(3 * KiB, new Uint8Array(3 * KiB))).rejects.toMatchObject({ code: 'CACHE_CORRUPT', message: expect.stringContaining('chunk 2') });
  });

  it('writes a file from another PagerSource and deletes it again', async () => {
    const remote: PagerSource = {
      name: 'pattern',
      size: 30 * KiB,
      identity: { size: 30 * KiB, etag: '"v1"' },
      readInto: async (offset, target) => void fillPattern(target, offset, 6),
    };
    const meta = await writeIdbFile('copied', remote, { store, chunkSize: 8 * KiB });
    expect(meta).toEqual({ size: 30 * KiB, chunkSize: 8 * KiB, etag: '"v1"' });
    const src = await IdbSource.open('copied', { store });
    expect(src.identity.etag).toBe('"v1"');
    const all = new Uint8Array(30 * KiB);
    await src.readInto(0, all);
    expect(firstPatternMismatch(all, 0, 6)).toBe(-1);
    expect(await deleteIdbFile('copied', { store })).toBe(true);
    expect(await get('copied:0', store)).toBeUndefined();
    await expect(IdbSource.open('copied', { store })).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });
});
