/**
 * Randomized concurrency stress: overlapping acquires, groups, releases,
 * prefetches and compactions over slow, chunked reads. After every event and
 * every operation: resident + loading ≤ budget and the arena's own check
 * passes; every lease's bytes equal the file's when it is released.
 */
import { describe, expect, it } from 'vitest';
import type { OffloadPolicy } from '../../src/pager/policy.ts';
import { buildModel } from '../cases/pager-model.ts';
import { pagerCase } from '../cases/pager-harness.ts';

function rng(seed: number) {
  return () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

async function stress(seed: number, eviction: 'lru' | 'auto', prefetchNAhead: number): Promise<void> {
  const r = rng(seed);
  const specs = Array.from({ length: 24 }, (_, i) => ({
    name: i < 2 ? ['token_embd.weight', 'output.weight'][i] : `blk.${i % 6}.t${i}`,
    size: 64 + Math.floor(r() * 16) * 48,
  }));
  const built = buildModel(specs, [
    ['general.architecture', 'llama'],
    ['llama.block_count', 6],
  ]);
  const budget = Math.floor(built.model.totalTensorBytes * 0.45);
  const policy: OffloadPolicy = {
    kind: 'pinnedHotSet',
    ramBytes: budget,
    pinEmbeddings: true,
    pinOutputHead: false,
    pinLastNLayers: 0,
    prefetchNAhead,
    eviction,
  };
  const { pager, core, verify } = await pagerCase({ built, policy, waitTimeoutMs: 20_000, source: { chunks: 3, delayMs: () => Math.floor(r() * 3) } });
  const names = specs.map((s) => s.name);
  const invariants = () => {
    const s = pager.stats();
    expect(s.residentBytes + s.loadingBytes).toBeLessThanOrEqual(budget);
    core.arena.check();
  };
  let pinnedEvicted = false;
  pager.onEvent((e) => {
    if (e.type === 'evict' && e.id === 'token_embd.weight') pinnedEvicted = true;
    invariants();
  });
  const pick = () => names[Math.floor(r() * names.length)];

  const worker = async (ops: number) => {
    for (let i = 0; i < ops; i++) {
      const x = r();
      if (x < 0.1) {
        void pager.prefetch([pick(), pick()]);
        continue;
      }
      if (x < 0.15) {
        core.arena.compact();
        invariants();
        continue;
      }
      const hold = Math.floor(r() * 3);
      if (x < 0.55) {
        const l = await pager.acquire(pick());
        await new Promise((res) => setTimeout(res, hold));
        verify(l);
        pager.release(l);
      } else {
        const g = await pager.acquireMany([pick(), pick(), pick()]);
        await new Promise((res) => setTimeout(res, hold));
        g.leases.forEach(verify);
        pager.release(g);
      }
      invariants();
    }
  };
  await Promise.all(Array.from({ length: 6 }, () => worker(40)));
  await new Promise((res) => setTimeout(res, 20));
  const s = pager.stats();
  expect(s.leasedBytes).toBe(0);
  expect(s.loadsInFlight).toBe(0);
  expect(s.maxResidentBytes).toBeLessThanOrEqual(budget);
  const resident = built.model.tensors.filter((t) => pager.isResident(t.name));
  expect(resident.reduce((a, t) => a + t.size, 0)).toBe(s.residentBytes);
  expect(core.arena.stats().liveBlocks).toBe(resident.length);
  expect(pinnedEvicted).toBe(false);
}

describe('randomized concurrency stress', () => {
  it('auto eviction with prefetch keeps every invariant', () => stress(1, 'auto', 2));
  it('lru eviction without prefetch keeps every invariant', () => stress(2, 'lru', 0));
  it('auto eviction, another seed', () => stress(3, 'auto', 1));
});
