/**
 * The parser's entry point: one GGUF file, or every shard of a split model.
 * The layout of a file is described in parse-file.ts.
 */
import { GgufPagerError } from '../errors.ts';
import type { PagerSource } from '../sources/source.ts';
import { parseGgufFile, type ParseOptions } from './parse-file.ts';
import { parseGgufSplit } from './split.ts';
import type { GgufModel } from './types.ts';

export type { ParseOptions } from './parse-file.ts';

/**
 * Parses one GGUF file, or all shards of a split model when given an array
 * (see `parseGgufSplit`). A single file that declares itself one shard of
 * several (`split.count` > 1) is refused with GGUF_BAD_SPLIT: pass every shard.
 */
export async function parseGguf(source: PagerSource | readonly PagerSource[], opts: ParseOptions = {}): Promise<GgufModel> {
  if (Array.isArray(source)) return parseGgufSplit(source as readonly PagerSource[], opts);
  const model = await parseGgufFile(source as PagerSource, opts);
  const count = model.metadata.get('split.count');
  if (typeof count === 'number' && count > 1) {
    throw new GgufPagerError('GGUF_BAD_SPLIT', `${model.shards[0].name} is one shard of a ${count}-file split model: open all shards (splitShardNames)`, {
      source: model.shards[0].name,
      count,
    });
  }
  return model;
}
