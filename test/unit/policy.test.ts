import { describe, expect, it } from 'vitest';
import {
  defaultBudgetBytes,
  evictionKind,
  MODULE_HEADROOM_BYTES,
  prefetchAhead,
  ramBudgetBytes,
  WASM32_MAX_BYTES,
  type OffloadPolicy,
} from '../../src/pager/policy.ts';

const GiB = 1024 ** 3;

describe('OffloadPolicy (ported from offload_policy.rs)', () => {
  it('none_has_no_budget', () => {
    expect(ramBudgetBytes({ kind: 'none' })).toBeUndefined();
  });
  it('budget_returns_bytes', () => {
    expect(ramBudgetBytes({ kind: 'budget', ramBytes: GiB })).toBe(GiB);
  });
  it('pinned_hot_set_returns_bytes', () => {
    const p: OffloadPolicy = {
      kind: 'pinnedHotSet',
      ramBytes: 512 * 1024 ** 2,
      pinEmbeddings: true,
      pinOutputHead: true,
      pinLastNLayers: 4,
      prefetchNAhead: 2,
    };
    expect(ramBudgetBytes(p)).toBe(512 * 1024 ** 2);
  });
  it('policy_clone_is_independent: a structured clone is equal and changing it leaves the original alone', () => {
    const original: OffloadPolicy = { kind: 'pinnedHotSet', ramBytes: 100, pinEmbeddings: false, pinOutputHead: true, pinLastNLayers: 2, prefetchNAhead: 1 };
    const cloned = structuredClone(original);
    expect(cloned).toEqual(original);
    (cloned as { ramBytes: number }).ramBytes = 7;
    expect(ramBudgetBytes(original)).toBe(100);
  });
});

describe('policy options', () => {
  it('evicts by furthest next use unless lru is asked for', () => {
    expect(evictionKind({ kind: 'budget', ramBytes: 1 })).toBe('auto');
    expect(evictionKind({ kind: 'budget', ramBytes: 1, eviction: 'lru' })).toBe('lru');
  });
  it('prefetches only with a pinned hot set, never a negative count', () => {
    expect(prefetchAhead({ kind: 'budget', ramBytes: 1 })).toBe(0);
    expect(prefetchAhead({ kind: 'pinnedHotSet', ramBytes: 1, pinEmbeddings: false, pinOutputHead: false, pinLastNLayers: 0, prefetchNAhead: 3 })).toBe(3);
    expect(prefetchAhead({ kind: 'pinnedHotSet', ramBytes: 1, pinEmbeddings: false, pinOutputHead: false, pinLastNLayers: 0, prefetchNAhead: -2 })).toBe(0);
  });
});

describe('defaultBudgetBytes', () => {
  it('is a quarter of the device memory', () => {
    expect(defaultBudgetBytes(8)).toBe(2 * GiB);
    expect(defaultBudgetBytes(2)).toBe(GiB / 2);
  });
  it('stays below 4 GiB minus headroom for the module on a large device', () => {
    const b = defaultBudgetBytes(64);
    expect(b).toBeLessThanOrEqual(WASM32_MAX_BYTES - MODULE_HEADROOM_BYTES);
    expect(b).toBeGreaterThan(3 * GiB);
    expect(b % 65536).toBe(0);
  });
  it('falls back to a 4 GiB device when the memory is unknown or nonsense', () => {
    expect(defaultBudgetBytes(Number.NaN)).toBe(GiB);
    expect(defaultBudgetBytes(-1)).toBe(GiB);
  });
});
