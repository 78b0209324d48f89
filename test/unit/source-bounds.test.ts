/** One bounds check for every source: INVALID_ARGUMENT for a bad offset, SOURCE_EOF past the end. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { BlobSource } from '../../src/sources/blob.ts';
import { FileSource } from '../../src/sources/file.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import type { PagerSource } from '../../src/sources/source.ts';

const data = Uint8Array.from({ length: 100 }, (_, i) => i);
const dir = mkdtempSync(join(tmpdir(), 'gguf-pager-bounds-'));
const path = join(dir, 'bounds.bin');
writeFileSync(path, data);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sources: Array<[string, () => Promise<PagerSource>]> = [
  ['MemorySource', async () => new MemorySource(data, 'mem')],
  ['BlobSource', async () => new BlobSource(new Blob([data]), 'blob')],
  ['FileSource', () => FileSource.open(path)],
];

describe.each(sources)('%s', (_, open) => {
  it('refuses a negative or fractional offset with INVALID_ARGUMENT', async () => {
    const src = await open();
    for (const offset of [-1, 0.5, Number.NaN]) {
      const err = await src.readInto(offset, new Uint8Array(4)).catch((e: unknown) => e);
      expect(isGgufPagerError(err, 'INVALID_ARGUMENT'), `${offset}: ${String(err)}`).toBe(true);
    }
  });

  it('refuses a read past the end with SOURCE_EOF naming the offset', async () => {
    const src = await open();
    const err = await src.readInto(90, new Uint8Array(20)).catch((e: unknown) => e);
    expect(isGgufPagerError(err, 'SOURCE_EOF'), String(err)).toBe(true);
    expect((err as Error).message).toContain('90');
  });
});
