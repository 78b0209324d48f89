import { describe, expect, it } from 'vitest';
import { MAX_CHUNKS, decodeManifest, encodeManifest, hasChunk, markChunk, newManifest, presentChunks, sameIdentity } from '../../src/sources/cache/manifest.ts';

const KEY = 'https://example.test/m.gguf';

/** A stored manifest with some fields replaced. */
function tampered(patch: Record<string, unknown>): string {
  const m = newManifest(KEY, 'opfs', { size: 10_000, etag: '"a"' }, 1024);
  return JSON.stringify({ ...JSON.parse(encodeManifest(m)), ...patch });
}

describe('cache manifest', () => {
  it('round-trips identity, chunk size, present chunks and last use', () => {
    const m = newManifest(KEY, 'idb', { size: 10_000, etag: '"a"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' }, 1024, 1234);
    for (const i of [0, 7, 8, 9]) markChunk(m, i);
    markChunk(m, 9);
    expect(m.bytesCached, 'the short last chunk counts its real length, a second mark nothing').toBe(3 * 1024 + 784);
    const back = decodeManifest(encodeManifest(m), KEY);
    expect(back).toEqual(m);
    expect([0, 1, 7, 8, 9].map((i) => hasChunk(back, i))).toEqual([true, false, true, true, true]);
    expect(presentChunks(back)).toBe(4);
  });

  it.each([
    ['a torn write', (s: string) => s.slice(0, s.length - 5), /not JSON/],
    ['another key', () => tampered({ key: 'https://example.test/other.gguf' }), /written for key/],
    ['another version', () => tampered({ version: 2 }), /version 2/],
    ['a bitmap of the wrong length', () => tampered({ present: btoa('\0\0\0') }), /bitmap of 3 bytes, expected 2/],
    ['bits past the last chunk', () => tampered({ present: btoa('\0\xfc') }), /past the last chunk/],
    ['a bitmap that is not base64', () => tampered({ present: '***' }), /not base64/],
    ['a negative size', () => tampered({ identity: { size: -1 } }), /bad remote size/],
    ['a zero chunk size', () => tampered({ chunkSize: 0 }), /chunk size 0/],
    ['an ETag that is not a string', () => tampered({ identity: { size: 10_000, etag: 5 } }), /ETag/],
  ])('rejects %s as CACHE_CORRUPT', (_what, make, message) => {
    const good = encodeManifest(newManifest(KEY, 'opfs', { size: 10_000, etag: '"a"' }, 1024));
    expect(() => decodeManifest(make(good), KEY)).toThrow(expect.objectContaining({ code: 'CACHE_CORRUPT', message: expect.stringMatching(message) }));
  });

  it('refuses more chunks than the bitmap limit instead of allocating it', () => {
    expect(() => newManifest(KEY, 'opfs', { size: 2 ** 50 }, 1024)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`more than ${MAX_CHUNKS}`) }),
    );
  });

  it('treats a header present on one side only as another version', () => {
    expect(sameIdentity({ size: 1, etag: '"a"' }, { size: 1, etag: '"a"' })).toBe(true);
    expect(sameIdentity({ size: 1, etag: '"a"' }, { size: 1 })).toBe(false);
    expect(sameIdentity({ size: 1, lastModified: 'x' }, { size: 1, lastModified: 'y' })).toBe(false);
    expect(sameIdentity({ size: 1 }, { size: 2 })).toBe(false);
  });
});
