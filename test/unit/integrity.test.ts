/** The digests a download is checked against: the integrity option's two forms and a digest ETag. */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { etagDigest, newSha256, parseIntegrity } from '../../src/sources/cache/integrity.ts';

const bytes = new TextEncoder().encode('gguf-pager integrity');
const hex = createHash('sha256').update(bytes).digest('hex');
const b64 = createHash('sha256').update(bytes).digest('base64');

it('reads the integrity option as SRI sha256-<base64> or as 64 hex digits, and refuses anything else naming the URL', () => {
  expect(parseIntegrity(`sha256-${b64}`, 'u')).toEqual({ sha256: hex, source: 'option' });
  expect(parseIntegrity(hex.toUpperCase(), 'u')).toEqual({ sha256: hex, source: 'option' });
  for (const bad of ['sha384-abc', `sha256-${b64.slice(2)}`, hex.slice(1), '']) {
    expect(() => parseIntegrity(bad, 'http://x/m.gguf')).toThrow(/http:\/\/x\/m\.gguf: integrity/);
  }
});

it("takes a strong ETag of 64 hex digits as the file's SHA-256, and nothing else", () => {
  expect(etagDigest({ size: 1, etag: `"${hex}"` })).toEqual({ sha256: hex, source: 'etag' });
  expect(etagDigest({ size: 1, etag: `W/"${hex}"` })).toBeUndefined();
  expect(etagDigest({ size: 1, etag: '"abc-123"' })).toBeUndefined();
  expect(etagDigest({ size: 1 })).toBeUndefined();
});

it('hashes incrementally to the same digest as node:crypto', () => {
  const h = newSha256();
  h.update(bytes.subarray(0, 5));
  h.update(bytes.subarray(5));
  expect(h.hex()).toBe(hex);
});
