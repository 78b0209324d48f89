import { describe, expect, it } from 'vitest';
import { LayerPager } from '../../src/pager/layer-pager.ts';
import { pagerCase, settle } from '../cases/pager-harness.ts';
import { TestSource } from '../cases/pager-source.ts';

const specs = [
  { name: 'a', size: 256 },
  { name: 'b', size: 256 },
  { name: 'c', size: 256 },
];

describe('dispose', () => {
  it('frees every block in the arena, leased ones too, so another pager can use it', async () => {
    const { pager, core, built } = await pagerCase({ specs, budget: 768 });
    await pager.acquire('a');
    pager.release(await pager.acquire('b'));
    expect(core.arena.stats().liveBlocks).toBe(2);
    pager.dispose();
    expect(core.arena.stats()).toMatchObject({ liveBlocks: 0, pinnedBlocks: 0, used: 0 });
    const next = new LayerPager({ arena: core.arena, sources: [new TestSource(built.bytes)], model: built.model, policy: { kind: 'budget', ramBytes: 768 } });
    pager.dispose();
    const l = await next.acquireMany(['a', 'b', 'c']);
    expect(l.leases.length).toBe(3);
  });

  it('every later call is PAGER_DISPOSED, and old leases cannot be read', async () => {
    const { pager } = await pagerCase({ specs, budget: 768 });
    const l = await pager.acquire('a');
    pager.dispose();
    await expect(pager.acquire('a')).rejects.toMatchObject({ code: 'PAGER_DISPOSED' });
    await expect(pager.acquireLayer(0)).rejects.toMatchObject({ code: 'PAGER_DISPOSED' });
    await expect(pager.acquireMany(['a'])).rejects.toMatchObject({ code: 'PAGER_DISPOSED' });
    await expect(pager.prefetch(['a'])).rejects.toMatchObject({ code: 'PAGER_DISPOSED' });
    expect(() => pager.tryAcquire('a')).toThrow(expect.objectContaining({ code: 'PAGER_DISPOSED' }));
    expect(() => pager.release(l)).toThrow(expect.objectContaining({ code: 'PAGER_DISPOSED' }));
    expect(() => l.bytes()).toThrow(expect.objectContaining({ code: 'PAGER_DISPOSED' }));
  });

  it('rejects waiting acquires, and frees blocks whose reads were in flight once they settle', async () => {
    const { pager, core, source } = await pagerCase({ specs, budget: 512, waitTimeoutMs: 5000 });
    await pager.acquire('a');
    source.pause();
    const loading = pager.acquire('b');
    const waiting = pager.acquire('c');
    await settle();
    pager.dispose();
    await expect(waiting).rejects.toMatchObject({ code: 'PAGER_DISPOSED' });
    expect(core.arena.stats().liveBlocks).toBe(1);
    source.resume();
    await expect(loading).rejects.toMatchObject({ code: 'PAGER_DISPOSED' });
    expect(core.arena.stats()).toMatchObject({ liveBlocks: 0, pinnedBlocks: 0 });
  });
});
