/**
 * `rt.cache.verify(url)`: re-hashes a cached entry and says whether it is
 * intact, against (in this order) the `integrity` given, the SHA-256 recorded
 * when its download was verified, or a digest ETag. The entry is read through
 * the CachedSource a loaded model has open, or opened here on its own (with a
 * stand-in remote that only carries the stored identity: nothing is fetched).
 */
import { GgufPagerError } from '../errors.ts';
import { CachedSource } from '../sources/cache/cached.ts';
import { DEFAULT_NAMESPACE, entryId } from '../sources/cache/store.ts';
import { readOpfsManifest } from '../sources/cache/store-opfs.ts';
import { readIdbManifest } from '../sources/cache/store-idb.ts';
import { etagDigest, newSha256, parseIntegrity } from '../sources/cache/integrity.ts';
import type { CacheManifest } from '../sources/cache/manifest.ts';
import type { PagerSource } from '../sources/source.ts';
import { hasIndexedDb, hasOpfs } from '../sources/storage-env.ts';

export interface VerifyResult {
  key: string;
  /** SHA-256 (hex) of the cached bytes; '' when the entry is not complete. */
  sha256: string;
  /** What it was compared with, if anything. */
  expected?: string;
  source?: 'option' | 'recorded' | 'etag';
  /** true: matches; false: differs or is incomplete; null: nothing to compare with. */
  intact: boolean | null;
  complete: boolean;
}

async function storedManifest(key: string): Promise<CacheManifest | undefined> {
  const id = await entryId(key);
  if (hasOpfs()) {
    const m = await readOpfsManifest(DEFAULT_NAMESPACE, id, key).catch(() => undefined);
    if (m) return m;
  }
  return hasIndexedDb() ? readIdbManifest(DEFAULT_NAMESPACE, key).catch(() => undefined) : undefined;
}

export async function verifyCached(key: string, integrity: string | undefined, open: CachedSource[]): Promise<VerifyResult> {
  let src = open.find((s) => s.key === key);
  let own = false;
  if (!src) {
    const m = await storedManifest(key);
    if (!m) throw new GgufPagerError('SOURCE_NOT_FOUND', `${key} is not in the cache`, { key });
    if (m.bytesCached < m.identity.size) return { key, sha256: '', intact: false, complete: false };
    const stand: PagerSource = {
      name: key,
      size: m.identity.size,
      identity: m.identity,
      readInto: () => Promise.reject(new GgufPagerError('INVALID_ARGUMENT', `${key}: verify reads the cache only`, { key })),
    };
    src = await CachedSource.open(stand, { key, store: m.store });
    own = true;
  }
  try {
    const st = src.stats();
    if (st.cachedBytes < st.totalBytes) return { key, sha256: '', intact: false, complete: false };
    const h = newSha256();
    const buf = new Uint8Array(Math.min(1 << 20, Math.max(1, src.size)));
    for (let at = 0; at < src.size; at += buf.length) {
      const piece = buf.subarray(0, Math.min(buf.length, src.size - at));
      await src.readCached(at, piece);
      h.update(piece);
    }
    const sha256 = h.hex();
    const want =
      integrity !== undefined
        ? { sha256: parseIntegrity(integrity, key).sha256, source: 'option' as const }
        : src.verifiedSha256
          ? { sha256: src.verifiedSha256, source: 'recorded' as const }
          : etagDigest(src.identity);
    if (!want) return { key, sha256, intact: null, complete: true };
    return { key, sha256, expected: want.sha256, source: want.source, intact: sha256 === want.sha256, complete: true };
  } finally {
    if (own) await src.close();
  }
}
