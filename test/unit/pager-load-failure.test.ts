import { describe, expect, it } from 'vitest';
import { GgufPagerError } from '../../src/errors.ts';
import { pagerCase } from '../cases/pager-harness.ts';

const specs = [
  { name: 'a', size: 256 },
  { name: 'b', size: 256 },
  { name: 'c', size: 256 },
];
const offsetOf = (c: Awaited<ReturnType<typeof pagerCase>>, name: string) => c.built.model.tensors.find((t) => t.name === name)!.offset;

describe('a failed read', () => {
  it('rejects every acquirer sharing it with the source code and the tensor name, and frees the reservation', async () => {
    const c = await pagerCase({ specs, budget: 768 });
    c.source.failAt.set(offsetOf(c, 'b'), new GgufPagerError('HTTP_STATUS', 'http://x/m.gguf: 503 at bytes 320-575', { status: 503 }));
    const both = [c.pager.acquire('b'), c.pager.acquire('b')];
    for (const p of both) await expect(p).rejects.toMatchObject({ code: 'HTTP_STATUS', message: expect.stringMatching(/tensor b: .*503/) });
    expect(c.source.reads).toBe(1);
    expect(c.pager.stats()).toMatchObject({ residentBytes: 0, loadingBytes: 0, loadsInFlight: 0, leasedBytes: 0 });
    expect(c.core.arena.stats().liveBlocks).toBe(0);
  });

  it('is retried by the next acquire', async () => {
    const c = await pagerCase({ specs, budget: 768 });
    c.source.failAt.set(offsetOf(c, 'a'), new Error('disk on fire'));
    await expect(c.pager.acquire('a')).rejects.toThrow('disk on fire');
    c.verify(await c.pager.acquire('a'));
  });

  it('fails a group, which gives back the leases it took on the others', async () => {
    const c = await pagerCase({ specs, budget: 768 });
    c.pager.release(await c.pager.acquire('a'));
    c.source.failAt.set(offsetOf(c, 'c'), new Error('lost'));
    await expect(c.pager.acquireMany(['a', 'b', 'c'])).rejects.toThrow('lost');
    await new Promise((r) => setTimeout(r, 10));
    expect(c.pager.stats().leasedBytes).toBe(0);
    expect(c.pager.isResident('a') && c.pager.isResident('b')).toBe(true);
    expect(c.core.arena.stats().pinnedBlocks).toBe(0);
  });
});
