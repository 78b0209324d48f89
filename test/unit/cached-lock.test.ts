/** The cache entry's locks where there are no Web Locks (Node): shared readers, one exclusive holder, waiting. */
import { expect, it } from 'vitest';
import { holders, tryLock, waitLock, withLockIfFree } from '../../src/sources/cache/lock.ts';

it('shared holders coexist, and keep an exclusive taker (a deletion) out until the last one leaves', async () => {
  const r1 = await tryLock('t:a', 'shared');
  const r2 = await tryLock('t:a', 'shared');
  expect(r1 && r2).toBeTruthy();
  expect(await holders('t:a')).toBe(2);
  expect(await withLockIfFree('t:a', async () => 'deleted')).toBeUndefined();
  r1!();
  r1!(); // idempotent
  expect(await withLockIfFree('t:a', async () => 'deleted')).toBeUndefined();
  r2!();
  expect(await withLockIfFree('t:a', async () => 'deleted')).toEqual({ value: 'deleted' });
  expect(await holders('t:a')).toBe(0);
});

it('a second writer waits for the first to finish, gives up after its timeout, and stops at an abort', async () => {
  const first = (await tryLock('t:w'))!;
  expect(await tryLock('t:w')).toBeUndefined();
  expect(await waitLock('t:w', 60, undefined, 'm')).toBeUndefined();
  const ac = new AbortController();
  const aborted = waitLock('t:w', 10_000, ac.signal, 'm');
  ac.abort();
  await expect(aborted).rejects.toMatchObject({ code: 'SOURCE_ABORTED' });
  const waiting = waitLock('t:w', 10_000, undefined, 'm');
  setTimeout(first, 50);
  const second = await waiting;
  expect(second).toBeTypeOf('function');
  second!();
});
