// A size report for the core module: it stays small (no runtime heap, no GC).
import { stat } from 'node:fs/promises';
import { expect, it } from 'vitest';

const BUDGET = 64 * 1024; // the arena, KV pool and kernels (the K-quants alone are ~18 KB)

it(`keeps build/core.wasm under ${BUDGET} bytes`, async () => {
  const { size } = await stat(new URL('../../build/core.wasm', import.meta.url));
  console.log(`build/core.wasm: ${size} bytes (budget ${BUDGET})`);
  expect(size).toBeLessThan(BUDGET);
});
