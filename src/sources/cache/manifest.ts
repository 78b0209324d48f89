/**
 * The persistent record of one cached model: which remote version it holds
 * (size, ETag, Last-Modified), how it is cut into chunks, which chunks are
 * durably stored, and when it was last used (for LRU eviction).
 *
 * In memory the present-chunk set is a bitmap, one bit per chunk, LSB first:
 *
 *   present[0]           present[1]
 *   ┌─┬─┬─┬─┬─┬─┬─┬─┐   ┌─┬─┬─┬─┬─┬─┬─┬─┐
 *   │7│6│5│4│3│2│1│0│   │15 …         8│   bit (i & 7) of byte (i >> 3) = chunk i
 *   └─┴─┴─┴─┴─┴─┴─┴─┘   └─┴─┴─┴─┴─┴─┴─┴─┘
 *
 * Bits past the last chunk are always 0. On disk (OPFS manifest.json, or a
 * string value in IndexedDB) it is JSON with the bitmap in base64. Decoding
 * checks every field: a manifest that fails is `CACHE_CORRUPT`, and the cache
 * then starts the entry over (re-fetching) instead of trusting it.
 *
 * The JSON is saved now and then; between saves each chunk made durable is
 * recorded at once in the entry's presence journal (journal.ts): the bitmap
 * again, tagged with the manifest's `gen`, so a closed tab loses only the
 * chunks in flight. Loading ORs the journal's bits in when its `gen` matches.
 */
import { GgufPagerError } from '../../errors.ts';
import type { SourceIdentity } from '../source.ts';
import { checkChunkSize, chunkCount } from '../idb/chunks.ts';

export type CacheStoreKind = 'opfs' | 'idb';

export const MANIFEST_VERSION = 1;
/** Bounds the bitmap (2 MiB): 16 Mi chunks, i.e. 64 TiB at 4 MiB chunks. */
export const MAX_CHUNKS = 1 << 24;
/** A manifest text longer than this is refused before parsing. */
export const MAX_MANIFEST_CHARS = 4 << 20;

export interface CacheManifest {
  key: string;
  store: CacheStoreKind;
  identity: SourceIdentity;
  chunkSize: number;
  chunkCount: number;
  /** One bit per chunk: set only after the chunk's bytes are durably written. */
  present: Uint8Array;
  /** Sum of the lengths of the present chunks. */
  bytesCached: number;
  /** Milliseconds since the epoch. */
  lastUsed: number;
  /** SHA-256 (hex) the whole entry was verified against, once it was. */
  sha256?: string;
  /** Generation: 16 hex digits, new for every fresh manifest; ties the presence journal to this version of the entry. */
  gen?: string;
}

/** A fresh generation tag (16 hex digits). */
export function newGen(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * ORs a presence journal's bitmap into `m` (chunks recorded durable since the
 * JSON was saved). Ignored unless it was written for `m`'s generation and has
 * the bitmap's exact length; bits past the last chunk are dropped.
 */
export function mergeJournal(m: CacheManifest, gen: string | undefined, bits: Uint8Array | undefined): void {
  if (!m.gen || gen !== m.gen || !bits || bits.length !== m.present.length) return;
  for (let b = 0; b < bits.length; b++) {
    const add = bits[b] & ~m.present[b];
    if (add === 0) continue;
    for (let k = 0; k < 8; k++) if (add & (1 << k) && b * 8 + k < m.chunkCount) markChunk(m, b * 8 + k);
  }
}

export function newManifest(key: string, store: CacheStoreKind, identity: SourceIdentity, chunkSize: number, now = Date.now()): CacheManifest {
  checkChunkSize(chunkSize, key);
  if (!Number.isSafeInteger(identity.size) || identity.size < 0) {
    throw new GgufPagerError('INVALID_ARGUMENT', `${key}: bad remote size ${identity.size}`, { size: identity.size });
  }
  const count = chunkCount(identity.size, chunkSize);
  if (count > MAX_CHUNKS) {
    throw new GgufPagerError(
      'INVALID_ARGUMENT',
      `${key}: ${identity.size} bytes in chunks of ${chunkSize} is ${count} chunks, more than ${MAX_CHUNKS}; use larger chunks`,
      { size: identity.size, chunkSize, count },
    );
  }
  const id: SourceIdentity = { size: identity.size };
  if (identity.etag !== undefined) id.etag = identity.etag;
  if (identity.lastModified !== undefined) id.lastModified = identity.lastModified;
  return { key, store, identity: id, chunkSize, chunkCount: count, present: new Uint8Array((count + 7) >> 3), bytesCached: 0, lastUsed: now, gen: newGen() };
}

/** Length of chunk `i` (the last one may be short). */
export function chunkLength(m: CacheManifest, i: number): number {
  return Math.min(m.chunkSize, m.identity.size - i * m.chunkSize);
}

export function hasChunk(m: CacheManifest, i: number): boolean {
  return (m.present[i >> 3] & (1 << (i & 7))) !== 0;
}

export function markChunk(m: CacheManifest, i: number): void {
  if (hasChunk(m, i)) return;
  m.present[i >> 3] |= 1 << (i & 7);
  m.bytesCached += chunkLength(m, i);
}

export function presentChunks(m: CacheManifest): number {
  let n = 0;
  for (const b of m.present) {
    let x = b;
    while (x) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}

/** Same remote version: equal size, ETag and Last-Modified (a header present on one side only counts as a change). */
export function sameIdentity(a: SourceIdentity, b: SourceIdentity): boolean {
  return a.size === b.size && (a.etag ?? null) === (b.etag ?? null) && (a.lastModified ?? null) === (b.lastModified ?? null);
}

export function encodeManifest(m: CacheManifest): string {
  return JSON.stringify({
    version: MANIFEST_VERSION,
    key: m.key,
    store: m.store,
    identity: m.identity,
    chunkSize: m.chunkSize,
    present: toBase64(m.present),
    lastUsed: m.lastUsed,
    ...(m.sha256 ? { sha256: m.sha256 } : {}),
    ...(m.gen ? { gen: m.gen } : {}),
  });
}

/** Parses and checks a stored manifest for `key`; `CACHE_CORRUPT` on any inconsistency. */
export function decodeManifest(text: string, key: string): CacheManifest {
  const bad = (why: string) => new GgufPagerError('CACHE_CORRUPT', `cache manifest of ${key}: ${why}`, { key });
  if (text.length > MAX_MANIFEST_CHARS) throw bad(`${text.length} characters, more than ${MAX_MANIFEST_CHARS}`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw bad('not JSON (a torn write?)');
  }
  if (typeof raw !== 'object' || raw === null) throw bad('not an object');
  if (raw.version !== MANIFEST_VERSION) throw bad(`version ${String(raw.version)}, expected ${MANIFEST_VERSION}`);
  if (raw.key !== key) throw bad(`written for key ${JSON.stringify(raw.key)}`);
  if (raw.store !== 'opfs' && raw.store !== 'idb') throw bad('bad store');
  const identity = raw.identity as SourceIdentity | undefined;
  if (typeof identity !== 'object' || identity === null) throw bad('no remote identity');
  if (typeof raw.lastUsed !== 'number' || !Number.isFinite(raw.lastUsed)) throw bad('bad lastUsed');
  if (typeof raw.chunkSize !== 'number' || typeof raw.present !== 'string') throw bad('bad chunk fields');
  let m: CacheManifest;
  try {
    m = newManifest(key, raw.store, identity, raw.chunkSize, raw.lastUsed);
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (
    (identity.etag !== undefined && typeof identity.etag !== 'string') ||
    (identity.lastModified !== undefined && typeof identity.lastModified !== 'string')
  ) {
    throw bad('bad ETag or Last-Modified');
  }
  const bits = fromBase64(raw.present, bad);
  if (bits.length !== m.present.length) throw bad(`bitmap of ${bits.length} bytes, expected ${m.present.length}`);
  const tail = m.chunkCount & 7;
  if (tail !== 0 && bits[bits.length - 1] >> tail !== 0) throw bad('bits set past the last chunk');
  m.present.set(bits);
  for (let i = 0; i < m.chunkCount; i++) if (hasChunk(m, i)) m.bytesCached += chunkLength(m, i);
  if (typeof raw.sha256 === 'string' && /^[0-9a-f]{64}$/.test(raw.sha256)) m.sha256 = raw.sha256;
  if (typeof raw.gen === 'string' && /^[0-9a-f]{16}$/.test(raw.gen)) m.gen = raw.gen;
  else delete m.gen; // written before journals: no journal can belong to it
  return m;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string, bad: (why: string) => Error): Uint8Array {
  let s: string;
  try {
    s = atob(text);
  } catch {
    throw bad('bitmap is not base64');
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
