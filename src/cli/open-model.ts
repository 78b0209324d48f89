/** A model for a CLI command: its sources (files or HTTP Range URLs, split shards found) and a standalone engine over them. */
import { openStandalone, type Standalone, type StandaloneOptions } from '../engine/standalone.ts';
import { splitShardNames } from '../gguf/split.ts';
import { FileSource } from '../sources/file.ts';
import { HttpRangeSource } from '../sources/http/source.ts';
import type { PagerSource } from '../sources/source.ts';

export async function withModel<T>(path: string, opts: StandaloneOptions, f: (s: Standalone) => Promise<T>): Promise<T> {
  const sources: PagerSource[] = await Promise.all(splitShardNames(path).map((n) => (/^https?:\/\//i.test(n) ? HttpRangeSource.open(n) : FileSource.open(n))));
  try {
    const s = await openStandalone(sources, opts);
    try {
      return await f(s);
    } finally {
      await s.dispose();
    }
  } finally {
    await Promise.all(sources.map((x) => x.close?.()));
  }
}
