import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, utimes, writeFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../src/sources/file.ts';
import { isGgufPagerError } from '../../src/errors.ts';
import { firstPatternMismatch, patternBytes } from '../servers/pattern.ts';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'file-source-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fileWith(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('FileSource', () => {
  // seed: offload_file_pager_source_reads_correctly
  it('reads bytes 5..15 of a file holding 0..255', async () => {
    const payload = Uint8Array.from({ length: 256 }, (_, i) => i);
    const src = await FileSource.open(await fileWith('counting.bin', payload));
    const buf = new Uint8Array(10);
    await src.readInto(5, buf);
    expect(buf).toEqual(payload.subarray(5, 15));
    await src.close();
  });

  // seed: offload_file_source_eof_errors
  it('rejects reading 100 bytes of a 5-byte file with SOURCE_EOF', async () => {
    const path = await fileWith('short.bin', new TextEncoder().encode('short'));
    const src = await FileSource.open(path);
    const err = await src.readInto(0, new Uint8Array(100)).catch((e) => e);
    expect(isGgufPagerError(err, 'SOURCE_EOF')).toBe(true);
    expect(err.message).toContain(path);
    await src.close();
  });

  it('knows its size and identity (size + modification time) once opened', async () => {
    const path = await fileWith('id.bin', new Uint8Array(1234));
    await utimes(path, new Date('2024-05-06T07:08:09.010Z'), new Date('2024-05-06T07:08:09.010Z'));
    const src = await FileSource.open(path);
    expect(src.size).toBe(1234);
    expect(src.identity).toEqual({ size: 1234, lastModified: '2024-05-06T07:08:09.010Z' });
    expect(src.name).toBe(path);
    await src.close();
  });

  it('reads straight into a WebAssembly.Memory view', async () => {
    const size = (3 << 20) + 17;
    const src = await FileSource.open(await fileWith('wasm.bin', patternBytes(0, size, 9)));
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 64 });
    const view = new Uint8Array(memory.buffer, 4096, size - 1000);
    await src.readInto(1000, view);
    expect(firstPatternMismatch(view, 1000, 9)).toBe(-1);
    await src.close();
  });

  it('serves many concurrent positional reads correctly', async () => {
    const size = 1 << 20;
    const src = await FileSource.open(await fileWith('many.bin', patternBytes(0, size, 5)));
    const reads = Array.from({ length: 64 }, (_, i) => ({ at: (i * 16_411) % (size - 5000), out: new Uint8Array(4999) }));
    await Promise.all(reads.map((r) => src.readInto(r.at, r.out)));
    for (const r of reads) expect(firstPatternMismatch(r.out, r.at, 5)).toBe(-1);
    await src.close();
  });

  it('reports a file truncated after open as SOURCE_CHANGED, not as stale bytes', async () => {
    const path = await fileWith('shrinks.bin', patternBytes(0, 8192, 1));
    const src = await FileSource.open(path);
    await truncate(path, 100);
    await expect(src.readInto(0, new Uint8Array(50))).rejects.toMatchObject({ code: 'SOURCE_CHANGED' });
    await src.close();
  });

  it('reports a missing file as SOURCE_NOT_FOUND and a directory as SOURCE_OPEN', async () => {
    await expect(FileSource.open(join(dir, 'nope.gguf'))).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    await expect(FileSource.open(dir)).rejects.toMatchObject({ code: 'SOURCE_OPEN' });
  });

  it('refuses reads after close, and close is idempotent', async () => {
    const src = await FileSource.open(await fileWith('closed.bin', new Uint8Array(10)));
    await src.close();
    await src.close();
    await expect(src.readInto(0, new Uint8Array(1))).rejects.toMatchObject({ code: 'SOURCE_ABORTED' });
  });
});
