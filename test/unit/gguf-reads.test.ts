import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { parseGgufFile } from '../../src/gguf/parse-file.ts';
import { syntheticLlama } from '../../src/authoring/synthetic.ts';
import { CountingSource } from '../cases/gguf-bytes-source.ts';
import { FIXTURES, TINY_LLAMA, fixtureSource } from '../cases/gguf-fixtures.ts';

describe('the parser reads the header and never the tensor data', () => {
  for (const path of FIXTURES) {
    it(`stops before the tensor data of ${path.split('/').pop()}`, async () => {
      const source = fixtureSource(path);
      const model = await parseGguf(source);
      expect(source.highestByteRead).toBeLessThanOrEqual(Math.min(model.tensorDataOffset, model.fileSize));
      expect(source.bytesRead).toBe(source.highestByteRead); // each byte fetched once, front to back
    });
  }

  it('reports the bytes it read through ParseStats', async () => {
    const source = fixtureSource(TINY_LLAMA);
    const stats = { bytesRead: 0 };
    await parseGgufFile(source, {}, stats);
    expect(stats.bytesRead).toBe(source.bytesRead);
    expect(stats.bytesRead).toBeGreaterThan(700_000);
  });

  it('grows its window geometrically: a 724 KB header with a 32000-token vocabulary takes a few dozen reads', async () => {
    const source = fixtureSource(TINY_LLAMA);
    await parseGguf(source);
    expect(source.reads.length).toBeLessThan(40);
  });

  it('reads only the header of a 4 GiB model', async () => {
    const model = syntheticLlama({ blocks: 22, embd: 2048, ff: 5632, vocab: 32000, type: 'F32', seed: 1 });
    expect(model.size).toBeGreaterThan(4 * 2 ** 30);
    const source = new CountingSource(model);
    const parsed = await parseGguf(source);
    expect(parsed.fileSize).toBe(model.size);
    expect(source.highestByteRead).toBeLessThanOrEqual(parsed.tensorDataOffset);
    expect(parsed.tensorDataOffset).toBeLessThan(2 ** 20);
  });
});
