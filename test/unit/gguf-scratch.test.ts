import { it } from 'vitest';
import { gguf } from '@huggingface/gguf';
import { parseGguf } from '../../src/gguf/parse.ts';
import { TINY_LLAMA, fixtureSource } from '../cases/gguf-fixtures.ts';
it('x', async () => {
  const m = await parseGguf(fixtureSource(TINY_LLAMA));
  const ref = await gguf(TINY_LLAMA, { allowLocalFile: true });
  const a = m.metadata.get('tokenizer.ggml.tokens') as string[];
  const b = (ref.metadata as any)['tokenizer.ggml.tokens'] as string[];
  a.forEach((x, i) => { if (x !== b[i]) console.log(i, JSON.stringify(x), JSON.stringify(b[i]), [...Buffer.from(x)]); });
});
