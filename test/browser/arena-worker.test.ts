// The arena cases (test/cases/arena-cases.ts) in a module Worker (test/browser/core-worker.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { arenaCases } from '../cases/arena-cases.ts';
import { startCoreWorker } from './core-worker-client.ts';

describe('arena (Worker)', () => {
  const worker = startCoreWorker();
  afterAll(() => worker.terminate());
  for (const name of Object.keys(arenaCases)) {
    it(name, async () => {
      const r = await worker.run('arena', name);
      expect(r.inWorker, 'the case ran in a WorkerGlobalScope').toBe(true);
      expect(r.message ?? 'passed').toBe('passed');
      expect(r.ok).toBe(true);
    });
  }
});
