/**
 * A module Worker that runs the arena, KV and kernel cases (test/cases) by name and
 * posts each outcome back; the *-worker.test.ts files assert every one passed.
 */
import { arenaCases } from '../cases/arena-cases.ts';
import type { Cases } from '../cases/arena-harness.ts';
import { kvCases } from '../cases/kv-cases.ts';
import { kquantCases } from '../cases/kquant-cases.ts';
import { kernelCases } from '../cases/kernel-cases.ts';
import type { CaseRequest, CaseResult } from './core-worker-client.ts';

const suites: Record<CaseRequest['suite'], Cases> = {
  arena: arenaCases,
  kv: kvCases,
  kquants: kquantCases,
  'kernels-simd': kernelCases('simd'),
  'kernels-relaxed': kernelCases('relaxed'),
};
const scope = globalThis as unknown as { WorkerGlobalScope?: unknown; postMessage(r: CaseResult): void };

addEventListener('message', (ev: MessageEvent<CaseRequest>) => {
  const { id, suite, name } = ev.data;
  const inWorker = scope.WorkerGlobalScope !== undefined && typeof document === 'undefined';
  const body = suites[suite]?.[name];
  const run = body ? body() : Promise.reject(new Error(`no case "${name}" in suite ${suite}`));
  run.then(
    () => scope.postMessage({ id, ok: true, inWorker }),
    (e: unknown) => {
      const err = e as { name?: string; message?: string; code?: string };
      scope.postMessage({ id, ok: false, inWorker, message: `${err.name ?? 'Error'}: ${err.message ?? String(e)}`, code: err.code });
    },
  );
});
