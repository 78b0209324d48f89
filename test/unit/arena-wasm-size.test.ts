// A size report for the core modules: they stay small (no runtime heap, no GC).
// 16 KiB held the arena and KV pool; the kernels of issue 8 (every weight type's decoder and dot, the ops)
// need more code, so the budget is 64 KiB for each build.
import { stat } from 'node:fs/promises';
import { expect, it } from 'vitest';

const BUDGET = 80 * 1024; // arena, KV pool, weight kernels, K-quants and ops together: ~70 KB at the merge of kernels, kquants and ops

for (const file of ['core.wasm', 'core.relaxed.wasm', 'core.shared.wasm', 'core.shared-relaxed.wasm']) {
  it(`keeps build/${file} under ${BUDGET} bytes`, async () => {
    const { size } = await stat(new URL(`../../build/${file}`, import.meta.url));
    console.log(`build/${file}: ${size} bytes (budget ${BUDGET})`);
    expect(size).toBeLessThan(BUDGET);
  });
}
