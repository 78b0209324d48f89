/**
 * Builds GGUF bytes field by field for tests, so each malformed case is
 * written out where it is used (`new GgufBuilder().preamble(1, 0).tensor(…)`).
 */
import { GgufPagerError } from '../../src/errors.ts';
import { ByteWriter } from '../../src/authoring/byte-writer.ts';
import { parseGguf, type ParseOptions } from '../../src/gguf/parse.ts';
import { GgufValueType as T } from '../../src/gguf/types.ts';
import { writeGguf } from '../../src/authoring/write.ts';
import { BytesSource } from './gguf-bytes-source.ts';

export class GgufBuilder extends ByteWriter {
  /** Magic, version, tensor_count, kv_count. */
  preamble(tensorCount: number | bigint, kvCount: number | bigint, version = 3): this {
    return this.bytes(new TextEncoder().encode('GGUF')).u32(version).u64(tensorCount).u64(kvCount);
  }

  kvU32(key: string, v: number): this {
    return this.str(key).u32(T.UINT32).u32(v);
  }

  kvString(key: string, v: string): this {
    return this.str(key).u32(T.STRING).str(v);
  }

  /** A tensor info: name, n_dims, dims, type, relative offset. */
  tensor(name: string, dims: number[], type: number, offset: number | bigint): this {
    this.str(name).u32(dims.length);
    for (const d of dims) this.u64(d);
    return this.u32(type).u64(offset);
  }

  zeros(n: number): this {
    return this.bytes(new Uint8Array(n));
  }
}

/** A small valid model: a few metadata types, three F32/Q8_0 tensors with data. */
export function tinyModel(): Uint8Array<ArrayBuffer> {
  const data = (n: number, k: number) => Uint8Array.from({ length: n }, (_, i) => (i * k) & 0xff);
  return writeGguf({
    metadata: [
      ['general.architecture', 'llama'],
      ['llama.block_count', 1, T.UINT32],
      ['tokenizer.ggml.tokens', ['a', 'b', 'c'], { array: T.STRING }],
      ['some.i64', -5n, T.INT64],
    ],
    tensors: [
      { name: 'token_embd.weight', type: 'F32', dims: [4, 3], data: data(48, 3) },
      { name: 'blk.0.attn_q.weight', type: 'Q8_0', dims: [32, 2], data: data(68, 5) },
      { name: 'output_norm.weight', type: 'F32', dims: [4], data: data(16, 7) },
    ],
  });
}

/** Parses `bytes` (named `bad.gguf`) and returns the GgufPagerError it must end in. */
export async function parseError(bytes: Uint8Array, opts?: ParseOptions): Promise<GgufPagerError> {
  try {
    await parseGguf(new BytesSource(bytes, 'bad.gguf'), opts);
  } catch (e) {
    if (e instanceof GgufPagerError) return e;
    throw new Error(`expected a GgufPagerError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected the parse to fail, it succeeded');
}
