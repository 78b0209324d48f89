/**
 * KV page pool behaviours: the seed's tests (kv_cache_pool.rs) as sentences,
 * then one case per fixed flaw and per new feature. Run in Node, a page and a
 * Worker (test/unit/kv.test.ts, test/browser/kv.test.ts, test/browser/kv-worker.test.ts).
 */
import { createCore } from '../../src/core/core.ts';
import { type Cases, check, checkEq, checkThrows, checkRejects } from './arena-harness.ts';
import { KiB, pool } from './kv-setup.ts';
import { kvSequenceCases } from './kv-sequences.ts';
import { kvF16Cases } from './kv-f16.ts';

export const kvCases: Cases = {
  async 'alloc and free: the counts follow each page handed out and returned'() {
    const kv = await pool(4, 64);
    checkEq(kv.totalPages, 4, 'total pages');
    checkEq(kv.freePages, 4, 'free pages');
    checkEq(kv.usedPages, 0, 'used pages');
    const idx0 = kv.alloc();
    checkEq(kv.usedPages, 1, 'used pages after one alloc');
    checkEq(kv.freePages, 3, 'free pages after one alloc');
    const idx1 = kv.alloc();
    check(idx0 !== idx1, `two allocs give two pages (${idx0}, ${idx1})`);
    kv.free(idx0);
    checkEq(kv.usedPages, 1, 'used pages after a free');
    checkEq(kv.freePages, 3, 'free pages after a free');
    kv.check();
  },

  async 'pool exhaustion returns none: tryAlloc answers -1 and alloc throws KV_EXHAUSTED'() {
    const kv = await pool(2, 16);
    kv.alloc();
    kv.alloc();
    checkEq(kv.tryAlloc(), -1, 'tryAlloc of an exhausted pool');
    checkThrows(() => kv.alloc(), 'KV_EXHAUSTED', 'alloc of an exhausted pool');
  },

  async 'free then realloc hands the same page back'() {
    const kv = await pool(1, 8);
    const idx = kv.alloc();
    kv.free(idx);
    checkEq(kv.alloc(), idx, 'page after free and re-alloc');
  },

  async 'page read write: values written through a page view read back'() {
    const kv = await pool(2, 4);
    const idx = kv.alloc();
    const page = kv.page(idx) as Float32Array;
    check(page instanceof Float32Array, 'an f32 pool gives Float32Array views');
    page[0] = 1.0;
    page[1] = 2.5;
    const again = kv.page(idx);
    checkEq(again[0], 1.0, 'element 0');
    checkEq(again[1], 2.5, 'element 1');
    checkEq(again.length, 4, 'page length in elements');
  },

  async 'page size accessor reports elements per page, also for a pool of no pages'() {
    const kv = await pool(0, 128);
    checkEq(kv.pageSize, 128, 'page size');
    checkEq(kv.totalPages, 0, 'total pages');
    checkEq(kv.freePages, 0, 'free pages');
    checkEq(kv.tryAlloc(), -1, 'tryAlloc of an empty pool');
  },

  async 'rejects a double free with KV_BAD_PAGE, so a page is never handed to two owners'() {
    const kv = await pool(3, 16);
    const a = kv.alloc();
    kv.free(a);
    checkThrows(() => kv.free(a), 'KV_BAD_PAGE', 'double free');
    checkEq(kv.freePages, 3, 'free pages after the rejected double free');
    const got = [kv.alloc(), kv.alloc(), kv.alloc()];
    checkEq(new Set(got).size, 3, 'three allocs give three distinct pages');
    checkEq(kv.tryAlloc(), -1, 'a fourth alloc finds the pool exhausted');
    kv.check();
  },

  async 'rejects pages out of range in free and page views'() {
    const kv = await pool(2, 16);
    for (const bad of [-1, 2, 1000, 1.5, NaN]) {
      checkThrows(() => kv.free(bad), 'KV_BAD_PAGE', `free(${bad})`);
      checkThrows(() => kv.page(bad), 'KV_BAD_PAGE', `page(${bad})`);
    }
    checkThrows(() => kv.page(0), 'KV_BAD_PAGE', 'a view of a free page');
  },

  async 'zeroes a page when it is handed out again'() {
    const kv = await pool(1, 256);
    const p = kv.alloc();
    (kv.page(p) as Float32Array).fill(42.5);
    kv.free(p);
    const again = kv.alloc();
    checkEq(again, p, 'the same page comes back');
    check(
      (kv.page(again) as Float32Array).every((x) => x === 0),
      'every element of the re-handed page is 0',
    );
  },

  async 'takes its pages from the budget: arena capacity shrinks by their bytes, memory stays fixed'() {
    const budget = 256 * KiB;
    const plain = await createCore({ arenaBytes: budget });
    const withKv = await createCore({ arenaBytes: budget, kv: { pages: 8, pageElems: 1000 } });
    checkEq(withKv.arena.capacity, plain.arena.capacity - 8 * 4032, 'arena capacity with 8 pages of 4000 bytes, each rounded up to 64');
    const bytes = withKv.memoryBytes();
    while (withKv.kv!.tryAlloc() >= 0);
    checkEq(withKv.memoryBytes(), bytes, 'memory bytes after taking every page');
  },

  async 'rejects a KV pool the budget cannot hold, or a bad geometry, with ARENA_INIT'() {
    await checkRejects(createCore({ arenaBytes: 64 * KiB, kv: { pages: 64, pageElems: 256 } }), 'ARENA_INIT', '64 pages of 1 KiB in 64 KiB');
    await checkRejects(createCore({ arenaBytes: 64 * KiB, kv: { pages: 1, pageElems: 1 } }), 'ARENA_INIT', 'a page of one element');
    await checkRejects(createCore({ arenaBytes: 64 * KiB, kv: { pages: -1, pageElems: 16 } }), 'ARENA_INIT', '-1 pages');
    await checkRejects(createCore({ arenaBytes: 64 * KiB, kv: { pages: 1, pageElems: 16, dtype: 'bf16' as 'f16' } }), 'ARENA_INIT', 'dtype bf16');
  },

  ...kvSequenceCases,
  ...kvF16Cases,
};
