import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { GgufValueType as T } from '../../src/gguf/types.ts';
import { GgufBuilder, parseError, tinyModel } from '../cases/gguf-build.ts';
import { BytesSource } from '../cases/gguf-bytes-source.ts';

const U64_MAX = 2n ** 64n - 1n;

describe('every count and length in a header is held to a named limit before use', () => {
  it('refuses a kv_count of 2^64-1 at once instead of looping', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, U64_MAX).finish());
    expect(e.code).toBe('GGUF_LIMIT');
    expect(e.details).toMatchObject({ limit: 'maxKeyCount', offset: 16 });
  });

  it('refuses a tensor_count of 2^64-1 at once', async () => {
    const e = await parseError(new GgufBuilder().preamble(U64_MAX, 0).finish());
    expect(e.details).toMatchObject({ limit: 'maxTensorCount', offset: 8 });
  });

  it('refuses a string length of 2^64-1 without allocating it', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 1).str('k').u32(T.STRING).u64(U64_MAX).finish());
    expect(e.code).toBe('GGUF_LIMIT');
    expect(e.details).toMatchObject({ limit: 'maxStringLength', key: 'k', offset: 37 });
  });

  it('refuses a key longer than maxNameLength', async () => {
    const e = await parseError(
      new GgufBuilder()
        .preamble(0, 1)
        .u64(2n ** 32n)
        .finish(),
    );
    expect(e.details).toMatchObject({ limit: 'maxNameLength', offset: 24 });
  });

  it('refuses an array length of 2^64-1 without allocating it', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 1).str('arr').u32(T.ARRAY).u32(T.UINT8).u64(U64_MAX).finish());
    expect(e.code).toBe('GGUF_LIMIT');
    expect(e.details).toMatchObject({ limit: 'maxArrayLength', key: 'arr' });
  });

  it('refuses arrays nested deeper than maxArrayDepth', async () => {
    const b = new GgufBuilder().preamble(0, 1).str('deep').u32(T.ARRAY);
    for (let i = 0; i < 50; i++) b.u32(T.ARRAY).u64(1);
    const e = await parseError(b.u32(T.UINT8).u64(0).finish());
    expect(e.code).toBe('GGUF_LIMIT');
    expect(e.details.limit).toBe('maxArrayDepth');
  });

  it('accepts arrays nested exactly maxArrayDepth deep', async () => {
    const b = new GgufBuilder().preamble(0, 1).str('deep').u32(T.ARRAY);
    for (let i = 0; i < 2; i++) b.u32(T.ARRAY).u64(1);
    const model = await parseGguf(new BytesSource(b.u32(T.UINT8).u64(1).u8(9).finish()), { limits: { maxArrayDepth: 3 } });
    expect(model.metadata.get('deep')).toEqual([[[9]]]);
  });

  it('refuses a header larger than maxHeaderBytes, reading no further', async () => {
    const big = new GgufBuilder().preamble(0, 1).kvString('k', 'x'.repeat(5000)).finish();
    const source = new BytesSource(big, 'bad.gguf');
    await expect(parseGguf(source, { limits: { maxHeaderBytes: 4096 } })).rejects.toMatchObject({ code: 'GGUF_LIMIT', details: { limit: 'maxHeaderBytes' } });
    expect(source.highestByteRead).toBeLessThanOrEqual(4096);
  });

  it('never accepts more than 8 dimensions, whatever maxDims a caller asks for', async () => {
    const e = await parseError(new GgufBuilder().preamble(1, 0).tensor('t', [1, 1, 1, 1, 1, 1, 1, 1, 1], 0, 0).pad(32).zeros(32).finish(), {
      limits: { maxDims: 100 },
    });
    expect(e.details).toMatchObject({ limit: 'maxDims', value: 9 });
  });

  it('applies limits a caller lowers, naming the limit in the message', async () => {
    const e = await parseError(tinyModel(), { limits: { maxArrayLength: 2 } });
    expect(e.code).toBe('GGUF_LIMIT');
    expect(e.message).toMatch(/bad\.gguf.*'tokenizer\.ggml\.tokens'.*maxArrayLength \(2\)/);
  });

  it('refuses an array whose count promises more elements than the file holds, as truncated', async () => {
    const e = await parseError(new GgufBuilder().preamble(0, 1).str('a').u32(T.ARRAY).u32(T.STRING).u64(1_000_000).str('only one').finish());
    expect(e.code).toBe('GGUF_TRUNCATED');
  });
});
