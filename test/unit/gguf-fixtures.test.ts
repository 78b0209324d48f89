import { gguf } from '@huggingface/gguf';
import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import type { GgufValue } from '../../src/gguf/types.ts';
import { FIXTURES, fixtureSource } from '../cases/gguf-fixtures.ts';

/**
 * Ours gives a Number where it is exact; @huggingface/gguf always a bigint for
 * 64-bit values. Its TextDecoder strips a leading U+FEFF (the Llama vocabulary
 * has a token that is exactly U+FEFF); ours keeps the bytes as they are.
 */
function sameValue(ours: GgufValue, theirs: unknown): boolean {
  if (Array.isArray(ours)) {
    return Array.isArray(theirs) && ours.length === theirs.length && ours.every((v, i) => sameValue(v, theirs[i]));
  }
  if (typeof theirs === 'bigint' && typeof ours === 'number') return BigInt(ours) === theirs;
  if (typeof ours === 'string' && ours.startsWith('\uFEFF')) return ours.slice(1) === theirs;
  return Object.is(ours, theirs);
}

describe('parsing the shared fixtures agrees with @huggingface/gguf', () => {
  it('finds fixtures to compare', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(11);
  });

  for (const path of FIXTURES) {
    it(`reads ${path.split('/').pop()} with the same header, metadata and tensors`, async () => {
      const model = await parseGguf(fixtureSource(path));
      const ref = await gguf(path, { allowLocalFile: true, typedMetadata: true });

      expect(model.version).toBe(ref.metadata.version);
      expect(BigInt(model.tensorDataOffset)).toBe(ref.tensorDataOffset);
      expect(model.tensors.length).toBe(ref.tensorInfos.length);
      model.tensors.forEach((t, i) => {
        const r = ref.tensorInfos[i];
        expect(t.name).toBe(r.name);
        expect(t.type).toBe(r.dtype);
        expect(t.dims.map(BigInt)).toEqual(r.shape);
        expect(BigInt(t.relativeOffset)).toBe(r.offset);
        expect(t.offset).toBe(model.tensorDataOffset + t.relativeOffset);
      });

      const refKeys = Object.keys(ref.typedMetadata).filter((k) => !['version', 'tensor_count', 'kv_count'].includes(k));
      expect([...model.metadata.keys()]).toEqual(refKeys);
      for (const key of refKeys) {
        const r = ref.typedMetadata[key];
        const ok = sameValue(model.metadata.get(key)!, r.value);
        expect(ok, `value of ${key}`).toBe(true);
        expect(model.metadataTypes.get(key), `type of ${key}`).toBe(r.type);
        if (r.subType !== undefined) expect(model.metadataArrayTypes?.get(key), `element type of ${key}`).toEqual({ array: r.subType });
      }
    });
  }

  it('sizes every tensor of a real file so that consecutive tensors abut up to the alignment', async () => {
    for (const path of FIXTURES) {
      const model = await parseGguf(fixtureSource(path));
      for (let i = 1; i < model.tensors.length; i++) {
        const prev = model.tensors[i - 1];
        const gap = model.tensors[i].relativeOffset - (prev.relativeOffset + prev.size);
        expect(gap).toBeGreaterThanOrEqual(0);
        expect(gap).toBeLessThan(model.alignment);
      }
      expect(model.totalTensorBytes).toBe(model.tensors.reduce((n, t) => n + t.size, 0));
    }
  });
});
