import { describe, expect, it } from 'vitest';
import { GGML_TYPES, GgmlType, ggmlTypeByName, ggmlTypeInfo, requireGgmlType, tensorByteSize } from '../../src/gguf/ggml-types.ts';

/** Bits per weight as ggml-common.h's comments state them, beside each block struct. */
const STATED_BPW: Record<string, number> = {
  Q2_K: 2.625,
  Q3_K: 3.4375,
  Q4_K: 4.5,
  Q5_K: 5.5,
  Q6_K: 6.5625,
  IQ2_XXS: 2.0625,
  IQ2_XS: 2.3125,
  IQ2_S: 2.5625,
  IQ3_XXS: 3.0625,
  IQ3_S: 3.4375,
  IQ1_S: 1.5625,
  IQ1_M: 1.75,
  TQ1_0: 1.6875,
  TQ2_0: 2.0625,
};

describe('the ggml type table', () => {
  it('has the bits per weight ggml states for its k- and i-quants', () => {
    for (const [name, bpw] of Object.entries(STATED_BPW)) {
      const t = ggmlTypeByName(name)!;
      expect((t.blockBytes * 8) / t.blockSize, name).toBe(bpw);
    }
  });

  it('matches the block structs of the simple quants (half scale + packed quants)', () => {
    expect(ggmlTypeInfo(GgmlType.Q8_0)).toMatchObject({ name: 'Q8_0', blockSize: 32, blockBytes: 34, quantized: true });
    expect(ggmlTypeInfo(GgmlType.Q4_0)).toMatchObject({ blockSize: 32, blockBytes: 18 });
    expect(ggmlTypeInfo(GgmlType.MXFP4)).toMatchObject({ id: 39, blockSize: 32, blockBytes: 17 });
    expect(ggmlTypeInfo(GgmlType.BF16)).toMatchObject({ id: 30, blockSize: 1, blockBytes: 2, quantized: false });
  });

  it('knows every id of the current enum and none of the removed ones', () => {
    const removed = [4, 5, 31, 32, 33, 36, 37, 38];
    for (let id = 0; id <= 42; id++) expect(ggmlTypeInfo(id) === undefined, `id ${id}`).toBe(removed.includes(id));
    expect(GGML_TYPES.length).toBe(43 - removed.length);
  });

  it('finds a type by name in any case', () => {
    expect(ggmlTypeByName('q4_k')?.id).toBe(12);
    expect(ggmlTypeByName('f16')?.id).toBe(1);
    expect(ggmlTypeByName('Q4_2')).toBeUndefined();
  });

  it('names the removed type, the id and the tensor when asked for a removed id', () => {
    expect(() => requireGgmlType(36, 'blk.3.ffn_up.weight')).toThrow(/36 \(IQ4_NL_4_4\).*'blk\.3\.ffn_up\.weight'/);
  });

  it('names the id and the tensor for an unknown id', () => {
    expect(() => requireGgmlType(1000, 'w')).toThrow(expect.objectContaining({ code: 'GGUF_UNKNOWN_TYPE', details: { type: 1000, tensor: 'w' } }));
  });
});

describe('tensorByteSize', () => {
  it('is elements / block size × block bytes', () => {
    expect(tensorByteSize(GgmlType.Q4_K, [4096, 4096])).toBe(((4096 * 4096) / 256) * 144);
    expect(tensorByteSize(GgmlType.F16, [7, 3, 2])).toBe(84);
    expect(tensorByteSize(GgmlType.F32, [])).toBe(4);
    expect(tensorByteSize(GgmlType.F32, [5, 0])).toBe(0);
  });

  it('refuses rows that are not a whole number of blocks', () => {
    expect(() => tensorByteSize(GgmlType.Q8_0, [48, 2], 'x')).toThrow(expect.objectContaining({ code: 'GGUF_BAD_SHAPE' }));
  });

  it('refuses negative or fractional dimensions and sizes beyond 2^53', () => {
    expect(() => tensorByteSize(GgmlType.F32, [-1])).toThrow(/dimension -1/);
    expect(() => tensorByteSize(GgmlType.F32, [1.5])).toThrow(/dimension 1.5/);
    expect(() => tensorByteSize(GgmlType.F32, [2 ** 30, 2 ** 30, 2 ** 30])).toThrow(/beyond 2\^53/);
  });
});
