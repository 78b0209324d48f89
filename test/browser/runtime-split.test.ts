import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { splitModel } from '../servers/model-list.ts';
import { unique } from '../servers/urls.ts';

let rt: Runtime;
beforeAll(async () => void (rt = await createRuntime({ budget: 4 << 20 })));
afterAll(() => rt.dispose());

const { shards, tensors } = splitModel();

describe('a split model loaded through the runtime', () => {
  for (const cache of ['none', 'idb'] as const) {
    it(`is one model from the URL of its first shard, each tensor read from its own shard (cache ${cache})`, async () => {
      const q = `?t=${unique()}`;
      const m = await rt.load(`${inject('rangeBase')}/${shards[0][0]}${q}`, { cache });
      expect(m.info.tensors.map((t) => [t.name, t.shard])).toEqual([
        ['token_embd.weight', 0],
        ['blk.0.attn_q.weight', 0],
        ['blk.1.attn_q.weight', 1],
        ['output_norm.weight', 2],
        ['output.weight', 2],
      ]);
      expect(m.info.fileSize).toBe(shards.reduce((a, [, b]) => a + b.length, 0));
      for (const [name, bytes] of tensors) expect(await m.readTensor(name), name).toEqual(bytes);
      await m.dispose();
    });
  }

  it('is the same model from an explicit list of shard URLs', async () => {
    const urls = shards.map(([name]) => `${inject('rangeBase')}/${name}?t=${unique()}`);
    const m = await rt.load(urls, { cache: 'none' });
    expect(m.info.tensors.length).toBe(5);
    expect(await m.readTensor('output.weight')).toEqual(tensors.get('output.weight'));
    await m.dispose();
  });
});
