/**
 * A module Worker that runs the ops cases (test/cases/ops-cases.ts) by name
 * and posts each outcome back, as core-worker.ts does for the arena and KV.
 */
import { opsCases } from '../cases/ops-cases.ts';
import type { CaseResult } from './core-worker-client.ts';

const scope = globalThis as unknown as { WorkerGlobalScope?: unknown; postMessage(r: CaseResult): void };

addEventListener('message', (ev: MessageEvent<{ id: number; name: string }>) => {
  const { id, name } = ev.data;
  const inWorker = scope.WorkerGlobalScope !== undefined && typeof document === 'undefined';
  const body = opsCases[name];
  const run = body ? body() : Promise.reject(new Error(`no ops case "${name}"`));
  run.then(
    () => scope.postMessage({ id, ok: true, inWorker }),
    (e: unknown) => {
      const err = e as { name?: string; message?: string; code?: string };
      scope.postMessage({ id, ok: false, inWorker, message: `${err.name ?? 'Error'}: ${err.message ?? String(e)}`, code: err.code });
    },
  );
});
