/** Parsed GGUF models (metadata) of the shared fixtures, for the text tests in Node. */
import { parseGguf } from '../../src/gguf/parse.ts';
import type { GgufModel } from '../../src/gguf/types.ts';
import { FileSource } from '../../src/sources/file.ts';
import { fixturePath } from './fixtures-dir.ts';

export async function parsedFixture(rel: string): Promise<GgufModel> {
  const source = await FileSource.open(fixturePath(rel));
  try {
    return await parseGguf(source);
  } finally {
    await source.close?.();
  }
}

export function vocabTokenizerModel(name: string): Promise<GgufModel> {
  return parsedFixture(`vocab/ggml-vocab-${name}.gguf`);
}
