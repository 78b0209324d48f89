/**
 * When everything evictable is gone (the rest is leased), a request waits for
 * a release, bounded by waitTimeoutMs and its AbortSignal, then fails with PAGER_NO_SPACE.
 */
import { describe, expect, it, vi } from 'vitest';
import { pagerCase, settle } from '../cases/pager-harness.ts';

const specs = [
  { name: 'a', size: 256 },
  { name: 'b', size: 256 },
  { name: 'c', size: 256 },
];

describe('waiting for room', () => {
  it('a release unblocks a waiting acquire, which then loads', async () => {
    const { pager, verify } = await pagerCase({ specs, budget: 512, waitTimeoutMs: 5000 });
    const a = await pager.acquire('a');
    const b = await pager.acquire('b');
    let got = false;
    const waiting = pager.acquire('c').then((l) => {
      got = true;
      return l;
    });
    await settle(10);
    expect(got).toBe(false);
    pager.release(a);
    const c = await waiting;
    verify(c);
    expect(pager.isResident('a')).toBe(false);
    expect(pager.isResident('b')).toBe(true);
    pager.release(b);
  });

  it('a wait that outlasts waitTimeoutMs rejects with PAGER_NO_SPACE naming the tensor', async () => {
    const { pager } = await pagerCase({ specs, budget: 512, waitTimeoutMs: 30 });
    await pager.acquire('a');
    await pager.acquire('b');
    vi.useFakeTimers();
    try {
      let outcome: unknown;
      pager.acquire('c').then(
        () => (outcome = 'resolved'),
        (e: unknown) => (outcome = e),
      );
      await vi.advanceTimersByTimeAsync(29);
      expect(outcome, 'settled before waitTimeoutMs').toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(outcome).toMatchObject({ code: 'PAGER_NO_SPACE', message: expect.stringContaining('c') });
    } finally {
      vi.useRealTimers();
    }
  });

  it('an abort ends the wait with SOURCE_ABORTED and leaves nothing claimed', async () => {
    const { pager } = await pagerCase({ specs, budget: 512, waitTimeoutMs: 5000 });
    const a = await pager.acquire('a');
    await pager.acquire('b');
    const ac = new AbortController();
    const waiting = pager.acquire('c', { signal: ac.signal });
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'SOURCE_ABORTED' });
    pager.release(a);
    await settle();
    expect(pager.isResident('c')).toBe(false);
    expect(pager.isResident('a')).toBe(true);
  });

  it('waitTimeoutMs 0 fails at once instead of waiting', async () => {
    const { pager } = await pagerCase({ specs, budget: 256, waitTimeoutMs: 0 });
    await pager.acquire('a');
    await expect(pager.acquire('b')).rejects.toMatchObject({ code: 'PAGER_NO_SPACE' });
  });

  it('a group claims all of its tensors or none, so two waiting groups do not deadlock', async () => {
    const { pager } = await pagerCase({ specs, budget: 512, waitTimeoutMs: 5000 });
    const held = await pager.acquire('c');
    const g1 = pager.acquireMany(['a', 'b']);
    const g2 = pager.acquireMany(['b', 'a']);
    await settle(10);
    expect(pager.stats().loadingBytes + pager.stats().residentBytes).toBeLessThanOrEqual(512);
    pager.release(held);
    const first = await Promise.race([g1, g2]);
    pager.release(first);
    const both = await Promise.all([g1, g2]);
    expect(both.every((g) => g.leases.length === 2)).toBe(true);
  });
});
