// Addresses above 2 GiB: the core returns u32 pointers and sizes, which JS
// receives as negative i32 unless read unsigned. A 2.5 GiB budget is only
// reserved, not touched, so this costs tens of MiB (Node only).
import { expect, it } from 'vitest';
import { createCore } from '../../src/core/core.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

it('hands out blocks and KV pages above 2 GiB with their addresses and sizes read unsigned', async () => {
  const core = await createCore({ arenaBytes: 2.5 * GiB, kv: { pages: 4, pageElems: 1024 } });
  const { arena, kv } = core;
  expect(arena.capacity).toBe(2.5 * GiB - 4 * 4096);
  const big = arena.alloc(2.25 * GiB);
  expect(arena.size(big)).toBe(2.25 * GiB);
  const h = arena.alloc(MiB);
  expect(arena.ptr(h)).toBeGreaterThan(2 ** 31);
  arena.bytes(h).fill(7);

  const page = kv!.alloc();
  const view = kv!.page(page);
  expect(view.byteOffset).toBeGreaterThan(2 ** 31);
  view[1023] = 1.5;
  expect(kv!.page(page)[1023]).toBe(1.5);

  arena.free(big);
  expect(arena.compact()).toBe(MiB);
  expect(arena.ptr(h)).toBe(arena.base);
  expect(arena.bytes(h).every((b) => b === 7)).toBe(true);
  expect(arena.stats()).toMatchObject({ capacity: arena.capacity, used: MiB, largestFree: arena.capacity - MiB, bytesMoved: MiB });
  arena.check();
});
