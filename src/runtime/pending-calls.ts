/**
 * The page's calls on a model that are still waiting for the worker, so that
 * an abort settles its call at once (SOURCE_ABORTED) and `dispose()` of the
 * model or the runtime settles every call still pending (MODEL_DISPOSED,
 * RUNTIME_DISPOSED) instead of leaving it pending forever. The worker is told
 * too (its abort ids, its unload), so it stops the work and closes the requests.
 */
import { GgufPagerError } from '../errors.ts';

type Fail = (e: GgufPagerError) => void;

export class PendingCalls {
  private readonly byModel = new Map<number, Set<Fail>>();

  /** `p`, settled early when `signal` aborts or model `id` (or the runtime) is disposed. */
  track<T>(id: number, what: string, p: Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let set = this.byModel.get(id);
      if (!set) this.byModel.set(id, (set = new Set()));
      const calls = set;
      const fail: Fail = (e) => done(() => reject(e));
      const onAbort = () => fail(new GgufPagerError('SOURCE_ABORTED', `${what} aborted`, { model: id }));
      const done = (settle: () => void) => {
        calls.delete(fail);
        if (calls.size === 0 && this.byModel.get(id) === calls) this.byModel.delete(id);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      calls.add(fail);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => done(() => resolve(v)),
        (e: unknown) => done(() => reject(e)),
      );
    });
  }

  /** Rejects the pending calls of model `id` (every model when undefined) with `error(id)`. */
  settle(id: number | undefined, error: (id: number) => GgufPagerError): void {
    for (const [m, calls] of [...this.byModel]) {
      if (id !== undefined && m !== id) continue;
      for (const fail of [...calls]) fail(error(m));
    }
  }

  /** Calls still pending (all models). */
  get size(): number {
    let n = 0;
    for (const calls of this.byModel.values()) n += calls.size;
    return n;
  }
}
