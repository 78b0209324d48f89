/**
 * One holder per cache entry across every tab and worker of the origin: an
 * open CachedSource holds the Web Lock `gguf-pager:<namespace>:<id>` until it
 * closes; eviction and deletion take the same lock without waiting and skip
 * (or refuse) an entry whose lock is held. Without `navigator.locks` the
 * locks are only per context (a Set in this module).
 */

const held = new Set<string>();

export function lockName(ns: string, id: string): string {
  return `gguf-pager:${ns}:${id}`;
}

/** Takes the lock if nobody holds it and returns its release function; undefined when it is held. */
export function tryLock(name: string): Promise<(() => void) | undefined> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) {
    if (held.has(name)) return Promise.resolve(undefined);
    held.add(name);
    return Promise.resolve(() => void held.delete(name));
  }
  return new Promise((resolve, reject) => {
    locks.request(name, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(undefined);
        return undefined;
      }
      return new Promise<void>((release) => resolve(() => release()));
    }).catch(reject);
  });
}

/** Runs `fn` holding the lock; `undefined` without running it when the lock is held elsewhere. */
export async function withLockIfFree<T>(name: string, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  const release = await tryLock(name);
  if (!release) return undefined;
  try {
    return { value: await fn() };
  } finally {
    release();
  }
}
