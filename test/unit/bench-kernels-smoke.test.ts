/**
 * The kernel benchmark's body (bench/kernels-run.ts) at smoke size, on both core builds (their test/bench builds, which
 * add the byte-sum ceiling and the scalar baseline): it sizes its activation
 * scratch by the core's kWorkBytes, so a change of the activation layout cannot break it again (it failed with
 * `Q8_0 matmul 64: status -21` when the Q8_0 activation grew).
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { BENCH_TYPES, runKernelBench } from '../../bench/kernels-run.ts';

it("runs every weight type's matvec and matmul (batch 8 and 64) at a wide, short shape on both builds", async () => {
  const builds = await Promise.all(
    ['core.testing.wasm', 'core.testing-relaxed.wasm'].map(async (f) => ({
      name: f,
      bytes: new Uint8Array(await readFile(new URL(`../../build/${f}`, import.meta.url))),
    })),
  );
  const { rows } = await runKernelBench(builds, { types: BENCH_TYPES, shapes: [[16, 8192]], batches: [8, 64], sampleMs: 0, samples: 1 });
  expect(rows).toHaveLength(2 * BENCH_TYPES.length);
  for (const r of rows) expect(r.matvecGBs, `${r.build} ${r.type}`).toBeGreaterThan(0);
});
