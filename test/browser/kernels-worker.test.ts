// The kernel cases (test/cases/kernel-cases.ts) in a module Worker (test/browser/core-worker.ts), both core builds.
import { afterAll, describe, expect, it } from 'vitest';
import { CORE_BUILDS } from '../cases/core-builds.ts';
import { kernelCases } from '../cases/kernel-cases.ts';
import { startCoreWorker } from './core-worker-client.ts';

describe('kernels (Worker)', () => {
  const worker = startCoreWorker();
  afterAll(() => worker.terminate());
  for (const build of CORE_BUILDS) {
    for (const name of Object.keys(kernelCases(build))) {
      it(`${build} build: ${name}`, async () => {
        const r = await worker.run(`kernels-${build}`, name);
        expect(r.inWorker, 'the case ran in a WorkerGlobalScope').toBe(true);
        expect(r.message ?? 'passed').toBe('passed');
        expect(r.ok).toBe(true);
      });
    }
  }
});
