// The K-quant kernel cases (test/cases/kquant-cases.ts) in a module Worker (test/browser/core-worker.ts), both core builds.
import { afterAll, describe, expect, it } from 'vitest';
import { kquantCases } from '../cases/kquant-cases.ts';
import { startCoreWorker } from './core-worker-client.ts';

describe('K-quant kernels (Worker)', () => {
  const worker = startCoreWorker();
  afterAll(() => worker.terminate());
  for (const name of Object.keys(kquantCases)) {
    it(name, async () => {
      const r = await worker.run('kquants', name);
      expect(r.inWorker, 'the case ran in a WorkerGlobalScope').toBe(true);
      expect(r.message ?? 'passed').toBe('passed');
      expect(r.ok).toBe(true);
    });
  }
});
