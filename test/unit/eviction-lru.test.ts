import { describe, expect, it } from 'vitest';
import { Lru } from '../../src/pager/lru.ts';
import { LruEviction } from '../../src/pager/eviction.ts';

function rng(seed: number) {
  return () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('Lru (O(1), no node objects)', () => {
  it('keeps the same order as a reference list after every random touch and delete', () => {
    const lru = new Lru(16);
    const ref: number[] = [];
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const k = Math.floor(r() * 16);
      if (r() < 0.7) {
        lru.touch(k);
        const at = ref.indexOf(k);
        if (at >= 0) ref.splice(at, 1);
        ref.push(k);
      } else {
        lru.delete(k);
        const at = ref.indexOf(k);
        if (at >= 0) ref.splice(at, 1);
      }
      expect(lru.keys()).toEqual(ref);
      expect(lru.size).toBe(ref.length);
      expect(lru.oldest()).toBe(ref.length ? ref[0] : -1);
    }
  });
  it('deleting an absent key changes nothing', () => {
    const lru = new Lru(4);
    lru.touch(1);
    lru.delete(2);
    expect(lru.keys()).toEqual([1]);
  });
});

describe('LruEviction', () => {
  it('offers the least recently used key that may be evicted, skipping the rest', () => {
    const e = new LruEviction(8);
    for (const t of [3, 1, 4, 5]) e.add(t);
    e.access(3);
    expect(e.victim(-1, () => true)).toBe(1);
    expect(e.victim(-1, (t) => t !== 1 && t !== 4)).toBe(5);
    e.remove(5);
    expect(e.victim(-1, (t) => t !== 1 && t !== 4)).toBe(3);
    expect(e.victim(-1, () => false)).toBe(-1);
  });
  it('access of a key that is not resident does not make it a candidate', () => {
    const e = new LruEviction(4);
    e.access(2);
    expect(e.victim(-1, () => true)).toBe(-1);
  });
});
