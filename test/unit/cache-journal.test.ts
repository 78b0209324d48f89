import { expect, it } from 'vitest';
import { decodeJournal, encodeJournal } from '../../src/sources/cache/journal.ts';
import { decodeManifest, encodeManifest, markChunk, mergeJournal, newManifest } from '../../src/sources/cache/manifest.ts';

const CHUNK = 1024;

it('adds the chunks a journal of the same generation records, and their bytes', () => {
  const m = newManifest('k', 'opfs', { size: 10 * CHUNK + 5 }, CHUNK);
  markChunk(m, 0);
  const later = newManifest('k', 'opfs', { size: 10 * CHUNK + 5 }, CHUNK);
  later.gen = m.gen;
  for (const i of [0, 3, 10]) markChunk(later, i);
  const j = decodeJournal(encodeJournal(m.gen!, later.present))!;
  expect(j.gen).toBe(m.gen);
  mergeJournal(m, j.gen, j.bits);
  expect(m.bytesCached).toBe(2 * CHUNK + 5);
  expect(decodeManifest(encodeManifest(m), 'k').gen, 'the generation survives the JSON').toBe(m.gen);
});

it('ignores a journal of another generation, of another length, or too short to have a header', () => {
  const m = newManifest('k', 'idb', { size: 20 * CHUNK }, CHUNK);
  const bits = new Uint8Array(m.present.length).fill(0xff);
  mergeJournal(m, 'ffffffffffffffff', bits);
  mergeJournal(m, m.gen, bits.subarray(1));
  expect(decodeJournal(new Uint8Array(15))).toBeUndefined();
  expect(m.bytesCached).toBe(0);
  const old = JSON.parse(encodeManifest(m)) as Record<string, unknown>;
  delete old.gen;
  const decoded = decodeManifest(JSON.stringify(old), 'k');
  mergeJournal(decoded, undefined, bits);
  expect(decoded.bytesCached, 'a manifest from before journals trusts none').toBe(0);
});

it('drops bits past the last chunk', () => {
  const m = newManifest('k', 'opfs', { size: 3 * CHUNK }, CHUNK);
  mergeJournal(m, m.gen, new Uint8Array([0xff]));
  expect(m.bytesCached).toBe(3 * CHUNK);
  expect(m.present[0]).toBe(0b111);
});
