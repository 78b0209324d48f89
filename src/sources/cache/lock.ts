/**
 * Web Locks of a cache entry, across every tab and worker of the origin:
 *
 *   gguf-pager:<namespace>:<id>         held SHARED by every open CachedSource (readers and the writer);
 *                                       deletion and eviction take it EXCLUSIVE without waiting, so they
 *                                       skip (or refuse with CACHE_IN_USE) an entry anyone has open.
 *   gguf-pager:<namespace>:<id>:write   held EXCLUSIVE by the one CachedSource that may fetch and write
 *                                       chunks, until the entry is complete (or it closes). A second tab
 *                                       that opens the entry meanwhile waits for it, then reads the
 *                                       finished entry: a model is never downloaded twice.
 *
 * Without `navigator.locks` (Node) the same rules hold per context (a table in this module).
 */
import { GgufPagerError } from '../../errors.ts';

type Mode = 'shared' | 'exclusive';
const local = new Map<string, { exclusive: boolean; shared: number }>();

export function lockName(ns: string, id: string): string {
  return `gguf-pager:${ns}:${id}`;
}

export function writeLockName(ns: string, id: string): string {
  return `${lockName(ns, id)}:write`;
}

function takeLocal(name: string, mode: Mode): (() => void) | undefined {
  const s = local.get(name) ?? { exclusive: false, shared: 0 };
  if (s.exclusive || (mode === 'exclusive' && s.shared > 0)) return undefined;
  if (mode === 'exclusive') s.exclusive = true;
  else s.shared++;
  local.set(name, s);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (mode === 'exclusive') s.exclusive = false;
    else s.shared--;
    if (!s.exclusive && s.shared === 0) local.delete(name);
  };
}

const webLocks = () => (typeof navigator === 'undefined' ? undefined : navigator.locks);

/** Takes the lock in `mode` if that is possible now; its release function, or undefined. */
export function tryLock(name: string, mode: Mode = 'exclusive'): Promise<(() => void) | undefined> {
  const locks = webLocks();
  if (!locks) return Promise.resolve(takeLocal(name, mode));
  return new Promise((resolve, reject) => {
    locks
      .request(name, { mode, ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(undefined);
          return undefined;
        }
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch(reject);
  });
}

/** Waits for the lock (exclusive), at most `timeoutMs`, or until `signal` aborts; undefined on timeout. */
export async function waitLock(name: string, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<(() => void) | undefined> {
  const aborted = () =>
    new GgufPagerError('SOURCE_ABORTED', `${what}: aborted while waiting for another tab or worker to finish downloading it`, { key: what });
  if (signal?.aborted) throw aborted();
  const locks = webLocks();
  const until = Date.now() + timeoutMs;
  if (!locks) {
    for (;;) {
      const r = takeLocal(name, 'exclusive');
      if (r) return r;
      if (signal?.aborted) throw aborted();
      if (Date.now() >= until) return undefined;
      await new Promise((ok) => setTimeout(ok, 25));
    }
  }
  const stop = new AbortController();
  const timer = Number.isFinite(timeoutMs) ? setTimeout(() => stop.abort(), Math.max(0, timeoutMs)) : undefined;
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await new Promise<() => void>((resolve, reject) => {
      locks.request(name, { mode: 'exclusive', signal: stop.signal }, () => new Promise<void>((release) => resolve(() => release()))).catch(reject);
    });
  } catch (e) {
    if (signal?.aborted) throw aborted();
    if (stop.signal.aborted) return undefined;
    throw e;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Runs `fn` holding the entry lock exclusively; `undefined` without running it when anyone holds it. */
export async function withLockIfFree<T>(name: string, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  const release = await tryLock(name, 'exclusive');
  if (!release) return undefined;
  try {
    return { value: await fn() };
  } finally {
    release();
  }
}

/** How many holders the lock `name` has now, across the origin (0 without `navigator.locks.query`). */
export async function holders(name: string): Promise<number> {
  const locks = webLocks();
  if (!locks?.query) {
    const s = local.get(name);
    return s ? s.shared + (s.exclusive ? 1 : 0) : 0;
  }
  const snapshot = await locks.query();
  return (snapshot.held ?? []).filter((l) => l.name === name).length;
}
