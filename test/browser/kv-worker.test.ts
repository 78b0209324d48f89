// The KV page pool cases (test/cases/kv-cases.ts) in a module Worker (test/browser/core-worker.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { kvCases } from '../cases/kv-cases.ts';
import { startCoreWorker } from './core-worker-client.ts';

describe('KV page pool (Worker)', () => {
  const worker = startCoreWorker();
  afterAll(() => worker.terminate());
  for (const name of Object.keys(kvCases)) {
    it(name, async () => {
      const r = await worker.run('kv', name);
      expect(r.inWorker, 'the case ran in a WorkerGlobalScope').toBe(true);
      expect(r.message ?? 'passed').toBe('passed');
      expect(r.ok).toBe(true);
    });
  }
});
