// The ops cases (test/cases/ops-cases.ts) in a module Worker (test/browser/ops-worker.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { opsCases } from '../cases/ops-cases.ts';
import type { CaseResult } from './core-worker-client.ts';

describe('ops kernels (Worker)', () => {
  const worker = new Worker(new URL('./ops-worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, (r: CaseResult) => void>();
  worker.addEventListener('message', (ev: MessageEvent<CaseResult>) => pending.get(ev.data.id)?.(ev.data));
  let next = 0;
  const run = (name: string): Promise<CaseResult> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, resolve);
      worker.addEventListener('error', (ev) => reject(new Error(`ops worker failed: ${ev.message}`)), { once: true });
      worker.postMessage({ id, name });
    });
  afterAll(() => worker.terminate());
  for (const name of Object.keys(opsCases)) {
    it(name, async () => {
      const r = await run(name);
      expect(r.inWorker, 'the case ran in a WorkerGlobalScope').toBe(true);
      expect(r.message ?? 'passed').toBe('passed');
      expect(r.ok).toBe(true);
    });
  }
});
