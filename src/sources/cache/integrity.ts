/**
 * Integrity of what is cached: the SHA-256 a download must hash to, from the
 * load's `integrity` option (Subresource Integrity `sha256-<base64>`, or 64 hex
 * digits) or from the server's strong ETag when that is itself 64 hex digits
 * (what large-file hosts send for LFS objects). The hash is incremental
 * (`@noble/hashes`), fed in file order over the cached chunks as the download
 * completes them, so a resumed download is checked over the union of its
 * chunks, whichever session fetched them.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { GgufPagerError } from '../../errors.ts';
import type { SourceIdentity } from '../source.ts';

export interface ExpectedDigest {
  /** 64 lower-case hex digits. */
  sha256: string;
  source: 'option' | 'etag';
}

export interface IntegrityReport extends ExpectedDigest {
  url: string;
  /** The check ran over the whole file and matched (a mismatch is an error, never a report). */
  verified: true;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The digest named by an `integrity` option; INVALID_ARGUMENT when it is neither form. */
export function parseIntegrity(value: string, url: string): ExpectedDigest {
  const v = value.trim();
  if (HEX64.test(v.toLowerCase())) return { sha256: v.toLowerCase(), source: 'option' };
  const m = /^sha256-([A-Za-z0-9+/_-]{43}=?)$/.exec(v);
  if (m) {
    const b64 = m[1].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64.length % 4 ? b64 + '='.repeat(4 - (b64.length % 4)) : b64);
    if (bin.length === 32) return { sha256: toHex(Uint8Array.from(bin, (c) => c.charCodeAt(0))), source: 'option' };
  }
  throw new GgufPagerError('INVALID_ARGUMENT', `${url}: integrity ${JSON.stringify(value)} is neither "sha256-<base64 of 32 bytes>" nor 64 hex digits`, {
    url,
    integrity: value,
  });
}

/** The SHA-256 a strong ETag of 64 hex digits names, if it is one. */
export function etagDigest(identity: SourceIdentity): ExpectedDigest | undefined {
  const e = identity.etag;
  if (!e || e.startsWith('W/')) return undefined;
  const v = e.replace(/^"|"$/g, '').toLowerCase();
  return HEX64.test(v) ? { sha256: v, source: 'etag' } : undefined;
}

/** The incremental hash. */
export function newSha256(): { update(bytes: Uint8Array): void; hex(): string } {
  const h = sha256.create();
  return { update: (b) => void h.update(b), hex: () => toHex(h.digest()) };
}

export function mismatch(url: string, got: string, want: ExpectedDigest): GgufPagerError {
  const from = want.source === 'option' ? 'the integrity option' : "the server's ETag";
  return new GgufPagerError(
    'INTEGRITY_MISMATCH',
    `${url}: the downloaded bytes hash to SHA-256 ${got}, but ${from} says ${want.sha256}; the cache entry was deleted`,
    { url, sha256: got, expected: want.sha256, source: want.source },
  );
}
