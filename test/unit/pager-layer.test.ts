import { describe, expect, it } from 'vitest';
import { llamaModel } from '../cases/pager-model.ts';
import { pagerCase } from '../cases/pager-harness.ts';

const built = llamaModel(3, { matrixBytes: 256, normBytes: 64 });

describe('acquireLayer and acquireMany', () => {
  it('leases every tensor of block i, by full or short name', async () => {
    const { pager, verify } = await pagerCase({ built });
    const layer = await pager.acquireLayer(1);
    expect(layer.layer).toBe(1);
    expect(layer.leases.map((l) => l.id)).toEqual(built.model.tensors.filter((t) => t.name.startsWith('blk.1.')).map((t) => t.name));
    layer.leases.forEach(verify);
    expect(layer.get('attn_q.weight')).toBe(layer.get('blk.1.attn_q.weight'));
    expect(() => layer.get('nope')).toThrow(expect.objectContaining({ code: 'PAGER_UNKNOWN_TENSOR' }));
  });

  it('releases the group together; a second release is PAGER_BAD_LEASE', async () => {
    const { pager } = await pagerCase({ built });
    const layer = await pager.acquireLayer(0);
    expect(pager.stats().leasedBytes).toBe(layer.leases.reduce((a, l) => a + l.length, 0));
    pager.release(layer);
    expect(pager.stats().leasedBytes).toBe(0);
    expect(() => pager.release(layer)).toThrow(expect.objectContaining({ code: 'PAGER_BAD_LEASE' }));
  });

  it('a block the model does not have is PAGER_UNKNOWN_TENSOR', async () => {
    const { pager } = await pagerCase({ built });
    await expect(pager.acquireLayer(3)).rejects.toMatchObject({ code: 'PAGER_UNKNOWN_TENSOR', message: expect.stringContaining('block 3') });
  });

  it('acquireMany leases the named tensors in order', async () => {
    const { pager } = await pagerCase({ built });
    const g = await pager.acquireMany(['output.weight', 'token_embd.weight']);
    expect(g.layer).toBe(-1);
    expect(g.leases.map((l) => l.id)).toEqual(['output.weight', 'token_embd.weight']);
    await expect(pager.acquireMany(['output.weight', 'missing'])).rejects.toMatchObject({ code: 'PAGER_UNKNOWN_TENSOR' });
  });

  it('acquireMany of nothing is an empty group and moves nothing', async () => {
    const { pager, source } = await pagerCase({ built });
    const g = await pager.acquireMany([]);
    expect(g.leases).toEqual([]);
    pager.release(g);
    expect(source.reads).toBe(0);
  });
});
