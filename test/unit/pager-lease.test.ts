/** Bytes in use are leased; a leased tensor is never evicted, moved or overwritten. */
import { describe, expect, it } from 'vitest';
import { pagerCase } from '../cases/pager-harness.ts';

const specs = [
  { name: 'a', size: 200 },
  { name: 'b', size: 200 },
  { name: 'c', size: 200 },
  { name: 'd', size: 200 },
];

describe('leases', () => {
  it('a leased tensor survives a miss that needs room: an unleased one is evicted instead', async () => {
    const { pager, verify } = await pagerCase({ specs, budget: 400, policy: { kind: 'budget', ramBytes: 400, eviction: 'lru' } });
    const a = await pager.acquire('a');
    pager.release(await pager.acquire('b'));
    const c = await pager.acquire('c');
    expect(pager.isResident('a')).toBe(true);
    expect(pager.isResident('b')).toBe(false);
    verify(a);
    verify(c);
  });

  it('a leased block keeps its address and bytes while other blocks are freed and compacted around it', async () => {
    const { pager, core, verify } = await pagerCase({ specs, budget: 600 });
    pager.release(await pager.acquire('a'));
    const b = await pager.acquire('b');
    const ptr = b.ptr;
    pager.release(await pager.acquire('c'));
    for (const id of ['d', 'a', 'c', 'd', 'a']) pager.release(await pager.acquire(id));
    core.arena.compact();
    expect(b.ptr).toBe(ptr);
    expect(b.bytes().byteOffset).toBe(ptr);
    verify(b);
    expect(() => core.arena.check()).not.toThrow();
  });

  it('a request that only fits by evicting a leased tensor does not evict it', async () => {
    const { pager } = await pagerCase({ specs, budget: 400, waitTimeoutMs: 0 });
    const a = await pager.acquire('a');
    const b = await pager.acquire('b');
    await expect(pager.acquire('c')).rejects.toMatchObject({ code: 'PAGER_NO_SPACE' });
    expect(pager.isResident('a') && pager.isResident('b')).toBe(true);
    pager.release(a);
    pager.release(b);
  });

  it('releasing a lease twice is PAGER_BAD_LEASE, and the count is not decremented again', async () => {
    const { pager } = await pagerCase({ specs, budget: 400 });
    const x = await pager.acquire('a');
    const y = await pager.acquire('a');
    pager.release(x);
    expect(() => pager.release(x)).toThrow(expect.objectContaining({ code: 'PAGER_BAD_LEASE' }));
    expect(pager.stats().leasedBytes).toBe(200);
    pager.release(y);
    expect(pager.stats().leasedBytes).toBe(0);
  });

  it('a lease from another pager is PAGER_BAD_LEASE', async () => {
    const one = await pagerCase({ specs, budget: 400 });
    const two = await pagerCase({ specs, budget: 400 });
    const l = await one.pager.acquire('a');
    expect(() => two.pager.release(l)).toThrow(expect.objectContaining({ code: 'PAGER_BAD_LEASE' }));
  });

  it('the bytes of a released lease cannot be read through it', async () => {
    const { pager } = await pagerCase({ specs, budget: 400 });
    const l = await pager.acquire('a');
    pager.release(l);
    expect(() => l.bytes()).toThrow(expect.objectContaining({ code: 'PAGER_BAD_LEASE' }));
  });

  it('f32() views an F32 tensor in place', async () => {
    const { pager } = await pagerCase({ specs, budget: 400 });
    const l = await pager.acquire('a');
    const f = l.f32();
    expect(f.length).toBe(50);
    expect(f.byteOffset).toBe(l.ptr);
    expect(new Uint8Array(f.buffer, f.byteOffset, 200)).toEqual(l.bytes());
  });
});
