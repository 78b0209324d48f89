import { describe, expect, it } from 'vitest';
import { GgufPagerError } from '../../src/errors.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { splitShardNames } from '../../src/gguf/split.ts';
import { GgufValueType as T } from '../../src/gguf/types.ts';
import { writeGguf, type GgufWriteTensor, type MetadataEntry } from '../../src/authoring/write.ts';
import { BytesSource } from '../cases/gguf-bytes-source.ts';

const shardName = (i: number, n: number) => `model-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.gguf`;

/** Shard `no` of `count`, holding `tensors`; shard 0 also carries the model's metadata. */
function shard(no: number, count: number, total: number, tensors: GgufWriteTensor[], extra: MetadataEntry[] = []): BytesSource {
  const metadata: MetadataEntry[] = [
    ...(no === 0 ? [['general.architecture', 'llama'] as MetadataEntry] : []),
    ['split.no', no, T.UINT16],
    ['split.count', count, T.UINT16],
    ['split.tensors.count', total, T.INT32],
    ...extra,
  ];
  return new BytesSource(writeGguf({ metadata, tensors }), shardName(no, count));
}

const f32 = (name: string, n: number): GgufWriteTensor => ({ name, type: 'F32', dims: [n], data: new Uint8Array(n * 4).fill(n) });

function threeShards(): BytesSource[] {
  return [
    shard(0, 3, 4, [f32('token_embd.weight', 8), f32('blk.0.attn_q.weight', 4)]),
    shard(1, 3, 4, [f32('blk.1.attn_q.weight', 16)]),
    shard(2, 3, 4, [f32('output.weight', 2)]),
  ];
}

async function splitError(sources: BytesSource[]): Promise<GgufPagerError> {
  try {
    await parseGguf(sources);
  } catch (e) {
    if (e instanceof GgufPagerError) return e;
    throw e;
  }
  throw new Error('expected the split parse to fail');
}

describe('a split GGUF model', () => {
  it('becomes one model with one tensor map, each tensor naming its shard and its offset in that shard', async () => {
    const sources = threeShards();
    const model = await parseGguf(sources);
    expect(model.tensors.map((t) => [t.name, t.shard])).toEqual([
      ['token_embd.weight', 0],
      ['blk.0.attn_q.weight', 0],
      ['blk.1.attn_q.weight', 1],
      ['output.weight', 2],
    ]);
    expect(model.shards.map((s) => s.name)).toEqual(sources.map((s) => s.name));
    expect(model.metadata.get('general.architecture')).toBe('llama');
    expect(model.totalTensorBytes).toBe((8 + 4 + 16 + 2) * 4);
    for (const t of model.tensors) {
      expect(t.offset).toBe(model.shards[t.shard].tensorDataOffset + t.relativeOffset);
      expect(t.offset + t.size).toBeLessThanOrEqual(model.shards[t.shard].fileSize);
    }
  });

  it('is refused when one shard is parsed as if it were the whole model', async () => {
    await expect(parseGguf(threeShards()[0])).rejects.toMatchObject({
      code: 'GGUF_BAD_SPLIT',
      message: expect.stringMatching(/model-00001-of-00003\.gguf.*3-file split/),
    });
  });

  it('is refused when a shard is missing', async () => {
    const e = await splitError(threeShards().slice(0, 2));
    expect(e.code).toBe('GGUF_BAD_SPLIT');
    expect(e.message).toMatch(/split\.count is 3 but 2/);
  });

  it('is refused when the shards come out of order', async () => {
    const [a, b, c] = threeShards();
    const e = await splitError([a, c, b]);
    expect(e.code).toBe('GGUF_BAD_SPLIT');
    expect(e.message).toMatch(/model-00003-of-00003\.gguf: split\.no is 2/);
  });

  it('is refused when split.tensors.count disagrees with the tensors found', async () => {
    const e = await splitError([shard(0, 2, 5, [f32('a', 4)]), shard(1, 2, 5, [f32('b', 4)])]);
    expect(e.code).toBe('GGUF_BAD_SPLIT');
    expect(e.message).toMatch(/split\.tensors\.count is 5 but the shards hold 2/);
  });

  it('is refused when two shards hold a tensor of the same name', async () => {
    const e = await splitError([shard(0, 2, 2, [f32('same', 4)]), shard(1, 2, 2, [f32('same', 4)])]);
    expect(e.code).toBe('GGUF_DUPLICATE_TENSOR');
    expect(e.message).toMatch(/'same'.*shard 0.*shard 1/);
  });

  it('is refused when given no shard at all', async () => {
    expect((await splitError([])).code).toBe('GGUF_BAD_SPLIT');
  });

  it('accepts an array of one ordinary file', async () => {
    const model = await parseGguf([new BytesSource(writeGguf({ tensors: [f32('x', 4)] }))]);
    expect(model.tensors[0].shard).toBe(0);
  });
});

describe('splitShardNames', () => {
  it('expands the first shard name into every shard name', () => {
    expect(splitShardNames('dir/m-00001-of-00003.gguf')).toEqual(['dir/m-00001-of-00003.gguf', 'dir/m-00002-of-00003.gguf', 'dir/m-00003-of-00003.gguf']);
  });

  it('expands any shard name and keeps a URL query', () => {
    expect(splitShardNames('https://h/x/m-00002-of-00002.gguf?download=1')).toEqual([
      'https://h/x/m-00001-of-00002.gguf?download=1',
      'https://h/x/m-00002-of-00002.gguf?download=1',
    ]);
  });

  it('returns a name that is not a shard name alone', () => {
    expect(splitShardNames('https://h/model.gguf')).toEqual(['https://h/model.gguf']);
  });

  it('refuses shard numbers outside 1..count', () => {
    expect(() => splitShardNames('m-00000-of-00002.gguf')).toThrow(GgufPagerError);
    expect(() => splitShardNames('m-00003-of-00002.gguf')).toThrow(/shard 3 of 2/);
  });
});
