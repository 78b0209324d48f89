/**
 * Two models paged through one arena (a runtime with two loaded models): a
 * waiting acquire in one is woken by a release in the other, not only by its
 * own pager's releases.
 */
import { describe, expect, it } from 'vitest';
import { LayerPager } from '../../src/pager/layer-pager.ts';
import { arenaFor, pagerCase, settle } from '../cases/pager-harness.ts';
import { buildModel, expectedBytes } from '../cases/pager-model.ts';
import { TestSource } from '../cases/pager-source.ts';

const specs = [
  { name: 'a', size: 1024 },
  { name: 'b', size: 1024 },
];

async function twoModels(waitTimeoutMs: number) {
  // One arena that holds two of the four tensors; each pager may use all of it.
  const first = await pagerCase({ specs, budget: 2048, arenaBytes: arenaFor(2048, 2), waitTimeoutMs });
  const built = buildModel(specs);
  const second = new LayerPager({
    arena: first.core.arena,
    sources: [new TestSource(built.bytes)],
    model: built.model,
    policy: { kind: 'budget', ramBytes: 2048 },
    waitTimeoutMs,
  });
  return { one: first.pager, two: second, built };
}

describe('several models in one arena', () => {
  it('a release in one model wakes an acquire waiting in the other, which then loads its bytes', async () => {
    const { one, two, built } = await twoModels(600_000); // no wait timer can fire during the test
    const a = await one.acquire('a');
    const b = await one.acquire('b');
    let got = false;
    const waiting = two.acquire('a').then((l) => ((got = true), l));
    await settle(20);
    expect(got).toBe(false);
    one.release(a);
    await settle(20);
    expect(got, 'woken by the release').toBe(true);
    const lease = await waiting;
    expect([...lease.bytes()]).toEqual([...expectedBytes(built, 'a')]);
    two.release(lease);
    one.release(b);
  });

  it('two models leasing against each other in turns all finish without PAGER_NO_SPACE', async () => {
    const { one, two } = await twoModels(3000);
    const turns = async (p: LayerPager) => {
      for (let i = 0; i < 20; i++) {
        const g = await p.acquireMany(['a', 'b']);
        await settle(1);
        p.release(g);
      }
    };
    await expect(Promise.all([turns(one), turns(two)])).resolves.toBeDefined();
  });
});
