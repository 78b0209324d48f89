/**
 * Opens a model by file path or URL (every shard of a split model) and parses
 * its header only: the metadata the text commands need, no tensor data.
 */
import { parseGguf } from '../gguf/parse.ts';
import { splitShardNames } from '../gguf/split.ts';
import type { GgufModel } from '../gguf/types.ts';
import { FileSource } from '../sources/file.ts';
import { HttpRangeSource } from '../sources/http/source.ts';
import type { PagerSource } from '../sources/source.ts';

function openSource(name: string): Promise<PagerSource> {
  return /^https?:\/\//i.test(name) ? HttpRangeSource.open(name) : FileSource.open(name);
}

export async function readModelHeader(name: string): Promise<GgufModel> {
  const opened = await Promise.allSettled(splitShardNames(name).map(openSource));
  const sources = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return await parseGguf(sources.length === 1 ? sources[0] : sources);
  } finally {
    await Promise.all(sources.map((s) => s.close?.()));
  }
}
