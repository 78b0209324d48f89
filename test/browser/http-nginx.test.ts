import { describe, expect, inject, it } from 'vitest';
import { HttpRangeSource } from '../../src/sources/http/source.ts';
import { firstPatternMismatch } from '../servers/pattern.ts';

const file = inject('diskFile');

describe('HttpRangeSource against nginx, cross-origin', () => {
  const base = inject('nginxBase');
  const url = () => {
    if (!base) throw new Error(`nginx is not running for this test: ${inject('nginxError')}`);
    return `${base}/${file.name}`;
  };

  it("opens the file with its size and nginx's strong ETag", async () => {
    const src = await HttpRangeSource.open(url());
    expect(src.size).toBe(file.size);
    expect(src.identity.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
  });

  it('reads the whole file in parallel pieces, byte for byte, with If-Range accepted', async () => {
    const src = await HttpRangeSource.open(url(), { headBytes: 1000, maxConcurrent: 4, coalesceMaxBytes: 256 << 10 });
    const memory = new WebAssembly.Memory({ initial: 32, maximum: 32 });
    const view = new Uint8Array(memory.buffer, 0, file.size);
    const piece = 100_000;
    const reads = [];
    for (let at = 0; at < file.size; at += piece) reads.push(src.readInto(at, view.subarray(at, Math.min(file.size, at + piece))));
    await Promise.all(reads);
    expect(firstPatternMismatch(view, 0, file.seed)).toBe(-1);
    expect(src.stats.retries).toBe(0);
  });

  it('reports a missing file as HTTP_STATUS 404', async () => {
    await expect(HttpRangeSource.open(`${url()}.missing`)).rejects.toMatchObject({ code: 'HTTP_STATUS', details: { status: 404 } });
  });
});
