import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { GgufValueType as T } from '../../src/gguf/types.ts';
import { writeGguf } from '../../src/authoring/write.ts';
import { parseError, tinyModel } from '../cases/gguf-build.ts';
import { BytesSource } from '../cases/gguf-bytes-source.ts';

describe('a file cut short', () => {
  it('is GGUF_TRUNCATED at every prefix of a header, naming an offset inside the prefix', async () => {
    const header = writeGguf({
      metadata: [
        ['general.architecture', 'llama'],
        ['a', [[1, 2], ['x']]],
        ['b', -3n, T.INT64],
        ['c', 1.5, T.FLOAT64],
      ],
    });
    const end = header.length - [...header].reverse().findIndex((b) => b !== 0); // drop the trailing padding
    for (let n = 0; n < end; n++) {
      const e = await parseError(header.subarray(0, n));
      expect(e.code, `prefix of ${n} bytes`).toBe('GGUF_TRUNCATED');
      expect(e.details.offset as number).toBeLessThanOrEqual(n);
      expect(e.message).toMatch(/^bad\.gguf: header truncated at byte \d+/);
    }
  });

  it('is GGUF_TRUNCATED up to the end of the tensor infos, then GGUF_TENSOR_OUT_OF_BOUNDS up to the end of the last tensor', async () => {
    const file = tinyModel();
    const full = await parseGguf(new BytesSource(file));
    const last = full.tensors[full.tensors.length - 1];
    const codes: string[] = [];
    for (let n = 0; n < last.offset + last.size; n++) codes.push((await parseError(file.subarray(0, n))).code);
    const firstNotTruncated = codes.findIndex((c) => c !== 'GGUF_TRUNCATED');
    expect(firstNotTruncated).toBeGreaterThan(full.tensorDataOffset - full.alignment);
    expect(firstNotTruncated).toBeLessThanOrEqual(full.tensorDataOffset);
    expect(codes.slice(0, firstNotTruncated).every((c) => c === 'GGUF_TRUNCATED')).toBe(true);
    expect(codes.slice(firstNotTruncated).every((c) => c === 'GGUF_TENSOR_OUT_OF_BOUNDS')).toBe(true);
    await expect(parseGguf(new BytesSource(file.subarray(0, last.offset + last.size)))).resolves.toBeTruthy();
  });

  it('parses the same whatever the size of the first read, down to one byte', async () => {
    const file = tinyModel();
    const expected = await parseGguf(new BytesSource(file));
    for (const initialReadBytes of [1, 2, 3, 7, 8, 100]) {
      const source = new BytesSource(file);
      expect(await parseGguf(source, { initialReadBytes })).toEqual(expected);
      expect(source.highestByteRead).toBeLessThanOrEqual(expected.tensorDataOffset);
    }
  });
});
