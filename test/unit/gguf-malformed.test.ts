import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { GgufValueType as T } from '../../src/gguf/types.ts';
import { GgufBuilder, parseError } from '../cases/gguf-build.ts';
import { BytesSource } from '../cases/gguf-bytes-source.ts';

const Q8_0 = 8;
const F32 = 0;

describe('a malformed GGUF header ends in a typed error naming the file and the place', () => {
  it('rejects a file that does not start with the GGUF magic', async () => {
    const e = await parseError(new GgufBuilder().bytes(new TextEncoder().encode('GGML')).u32(3).u64(0).u64(0).finish());
    expect(e.code).toBe('GGUF_BAD_MAGIC');
    expect(e.message).toMatch(/bad\.gguf.*byte 0/);
  });

  it('rejects GGUF version 1', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 0, 1).finish());
    expect(e.code).toBe('GGUF_UNSUPPORTED_VERSION');
    expect(e.message).toMatch(/bad\.gguf.*version 1/);
  });

  it('rejects a version from the future', async () => {
    expect((await parseError(new GgufBuilder().preamble(0, 0, 4).finish())).code).toBe('GGUF_UNSUPPORTED_VERSION');
  });

  it('recognises a big-endian file by its byte-swapped version', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 0, 0x03000000).finish());
    expect(e.code).toBe('GGUF_BIG_ENDIAN');
    expect(e.message).toMatch(/bad\.gguf.*big-endian/);
  });

  it('rejects an empty file as truncated at byte 0', async () => {
    const e = await parseError(new Uint8Array(0));
    expect(e.code).toBe('GGUF_TRUNCATED');
    expect(e.details.offset).toBe(0);
  });

  it('rejects a metadata value of an unknown value type, naming the key', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 1).str('general.odd').u32(13).u32(0).finish());
    expect(e.code).toBe('GGUF_BAD_VALUE_TYPE');
    expect(e.message).toMatch(/bad\.gguf.*'general\.odd'.*type 13/);
  });

  it('rejects an array of an unknown element type', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 1).str('a').u32(T.ARRAY).u32(99).u64(1).finish());
    expect(e.code).toBe('GGUF_BAD_VALUE_TYPE');
  });

  it('rejects a key that is not valid UTF-8', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 1).u64(2).bytes(Uint8Array.of(0xc3, 0x28)).u32(T.UINT8).u8(1).finish());
    expect(e.code).toBe('GGUF_BAD_STRING');
    expect(e.details.offset).toBe(32);
  });

  it('rejects a tensor name that is not valid UTF-8', async () => {
    const b = new GgufBuilder().preamble(1, 0).u64(1).bytes(Uint8Array.of(0xff)).u32(1).u64(4).u32(F32).u64(0);
    expect((await parseError(b.pad(32).zeros(16).finish())).code).toBe('GGUF_BAD_STRING');
  });

  it('rejects a key that appears twice', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 2).kvU32('k', 1).kvU32('k', 2).finish());
    expect(e.code).toBe('GGUF_DUPLICATE_KEY');
    expect(e.message).toMatch(/bad\.gguf.*'k'.*byte 41/);
  });

  it('rejects a tensor declared twice', async () => {
    const b = new GgufBuilder().preamble(2, 0).tensor('w', [4], F32, 0).tensor('w', [4], F32, 32);
    const e = await parseError(b.pad(32).zeros(64).finish());
    expect(e.code).toBe('GGUF_DUPLICATE_TENSOR');
    expect(e.message).toMatch(/bad\.gguf.*'w'/);
  });

  it('rejects an unknown ggml type, naming the id and the tensor', async () => {
    const e = await parseError(new GgufBuilder().preamble(1, 0).tensor('blk.0.x', [32], 77, 0).pad(32).zeros(64).finish());
    expect(e.code).toBe('GGUF_UNKNOWN_TYPE');
    expect(e.message).toMatch(/bad\.gguf.*77.*'blk\.0\.x'/);
  });

  it('rejects a ggml type id that ggml removed, naming the old type', async () => {
    const e = await parseError(new GgufBuilder().preamble(1, 0).tensor('t', [32], 31, 0).pad(32).zeros(64).finish());
    expect(e.code).toBe('GGUF_UNKNOWN_TYPE');
    expect(e.message).toMatch(/Q4_0_4_4.*'t'/);
  });

  it('rejects a quantized tensor whose rows are not a whole number of blocks', async () => {
    const e = await parseError(new GgufBuilder().preamble(1, 0).tensor('q', [33, 2], Q8_0, 0).pad(32).zeros(128).finish());
    expect(e.code).toBe('GGUF_BAD_SHAPE');
    expect(e.message).toMatch(/bad\.gguf.*'q'.*33.*32/);
  });

  it('rejects a dimension beyond 2^53', async () => {
    const b = new GgufBuilder()
      .preamble(1, 0)
      .str('t')
      .u32(1)
      .u64(2n ** 60n)
      .u32(F32)
      .u64(0);
    expect((await parseError(b.pad(32).finish())).code).toBe('GGUF_BAD_SHAPE');
  });

  it('rejects dimensions whose product overflows instead of wrapping around', async () => {
    const e = await parseError(
      new GgufBuilder()
        .preamble(1, 0)
        .tensor('t', [2 ** 40, 2 ** 40], F32, 0)
        .pad(32)
        .finish(),
    );
    expect(e.code).toBe('GGUF_BAD_SHAPE');
  });

  it('rejects more dimensions than maxDims', async () => {
    const e = await parseError(new GgufBuilder().preamble(1, 0).tensor('t', [1, 1, 1, 1, 1], F32, 0).pad(32).zeros(32).finish());
    expect(e.code).toBe('GGUF_LIMIT');
    expect(e.details.limit).toBe('maxDims');
  });

  it('rejects a general.alignment of zero', async () => {
    expect((await parseError(new GgufBuilder().preamble(0, 1).kvU32('general.alignment', 0).finish())).code).toBe('GGUF_BAD_ALIGNMENT');
  });

  it('rejects a general.alignment that is not a power of two', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 1).kvU32('general.alignment', 48).finish());
    expect(e.code).toBe('GGUF_BAD_ALIGNMENT');
    expect(e.message).toMatch(/bad\.gguf.*48/);
  });

  it('rejects a general.alignment that is not an integer', async () => {
    expect((await parseError(new GgufBuilder().preamble(0, 1).kvString('general.alignment', '32').finish())).code).toBe('GGUF_BAD_ALIGNMENT');
  });

  it('rejects a tensor offset that is not a multiple of the alignment', async () => {
    const e = await parseError(new GgufBuilder().preamble(1, 0).tensor('t', [4], F32, 8).pad(32).zeros(64).finish());
    expect(e.code).toBe('GGUF_MISALIGNED');
    expect(e.message).toMatch(/bad\.gguf.*'t'.*8/);
  });

  it('rejects a tensor that runs past the end of the file', async () => {
    const e = await parseError(new GgufBuilder().preamble(1, 0).tensor('t', [16], F32, 0).pad(32).zeros(63).finish());
    expect(e.code).toBe('GGUF_TENSOR_OUT_OF_BOUNDS');
    expect(e.message).toMatch(/bad\.gguf.*'t'.*past the end/);
  });

  it('rejects a tensor offset beyond 2^53', async () => {
    const e = await parseError(
      new GgufBuilder()
        .preamble(1, 0)
        .tensor('t', [4], F32, 2n ** 63n)
        .pad(32)
        .finish(),
    );
    expect(e.code).toBe('GGUF_TENSOR_OUT_OF_BOUNDS');
  });

  it('rejects two tensors that share bytes', async () => {
    const b = new GgufBuilder().preamble(2, 0).tensor('a', [16], F32, 0).tensor('b', [8], F32, 32);
    const e = await parseError(b.pad(32).zeros(96).finish());
    expect(e.code).toBe('GGUF_TENSOR_OVERLAP');
    expect(e.message).toMatch(/bad\.gguf.*'b'.*'a'/);
  });

  it('accepts zero-sized tensors at the same offset, which share no byte', async () => {
    const b = new GgufBuilder().preamble(2, 0).tensor('a', [0], F32, 0).tensor('b', [0, 4], F32, 0);
    const model = await parseGguf(new BytesSource(b.pad(32).finish()));
    expect(model.tensors.map((t) => t.size)).toEqual([0, 0]);
  });
});
