/** How many range requests a load makes for a served model's header before it opens the cache (open-sources.ts). */
import { parseGguf } from '../../src/gguf/parse.ts';
import type { PagerSource } from '../../src/sources/source.ts';
import { servedModel } from '../servers/model-list.ts';

/** The parser's reads of the header of `name` (each one range request); a fault spared for 1 + this many requests hits the download first. */
export async function headerReads(name: 'small.gguf' | 'big.gguf'): Promise<number> {
  const model = servedModel(name);
  let reads = 0;
  const counting: PagerSource = {
    name: model.name,
    size: model.size,
    identity: model.identity,
    readInto: (o, t, opts) => (reads++, model.readInto(o, t, opts)),
  };
  await parseGguf([counting]);
  return reads;
}
