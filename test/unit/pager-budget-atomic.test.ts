/** "Does it fit" and the load are one step, so concurrent loads never overrun the budget together. */
import { describe, expect, it } from 'vitest';
import { pagerCase } from '../cases/pager-harness.ts';

const specs = Array.from({ length: 12 }, (_, i) => ({ name: `t${i}`, size: 192 + 64 * (i % 3) }));

describe('atomic reservation', () => {
  it('twelve concurrent misses with slow reads never hold more than the budget, resident plus loading', async () => {
    const budget = 1024;
    const { pager, core, source, verify } = await pagerCase({ specs, budget, source: { delayMs: (off) => 2 + (off % 7) } });
    let worst = 0;
    pager.onEvent(() => {
      const s = pager.stats();
      worst = Math.max(worst, s.residentBytes + s.loadingBytes);
      expect(core.arena.stats().used).toBeLessThanOrEqual(core.arena.capacity);
    });
    const leases = await Promise.all(
      specs.map(async (t) => {
        const l = await pager.acquire(t.name);
        verify(l);
        await new Promise((r) => setTimeout(r, 1));
        pager.release(l);
        return l;
      }),
    );
    expect(leases.length).toBe(12);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(budget);
    expect(pager.stats().maxResidentBytes).toBeLessThanOrEqual(budget);
    expect(source.maxInFlight).toBeGreaterThan(1);
  });
});
