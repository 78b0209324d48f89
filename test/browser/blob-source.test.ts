import { describe, expect, it } from 'vitest';
import { BlobSource } from '../../src/sources/blob.ts';
import { isGgufPagerError } from '../../src/errors.ts';

function bytes(n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

describe('BlobSource', () => {
  it('reads any range of a File straight into the target, across read pieces', async () => {
    const data = bytes((8 << 20) + 4000);
    const src = new BlobSource(new File([data], 'm.gguf', { lastModified: 1_700_000_000_000 }));
    expect(src.name).toBe('file:m.gguf');
    expect(src.size).toBe(data.length);
    expect(src.identity.lastModified).toBeTruthy();
    const target = new Uint8Array(5000);
    await src.readInto((8 << 20) - 2000, target);
    expect(target).toEqual(data.subarray((8 << 20) - 2000, (8 << 20) + 3000));
  });

  it('rejects a read past the end with SOURCE_EOF naming the source and offset', async () => {
    const src = new BlobSource(new Blob([bytes(100)]), 'blob:test');
    const err = await src.readInto(90, new Uint8Array(20)).catch((e) => e);
    expect(isGgufPagerError(err, 'SOURCE_EOF')).toBe(true);
    expect(err.message).toContain('blob:test');
    expect(err.message).toContain('90');
  });

  it('stops at once when the signal is already aborted', async () => {
    const src = new BlobSource(new Blob([bytes(100)]));
    const ac = new AbortController();
    ac.abort();
    const err = await src.readInto(0, new Uint8Array(10), { signal: ac.signal }).catch((e) => e);
    expect(isGgufPagerError(err, 'SOURCE_ABORTED')).toBe(true);
  });
});
