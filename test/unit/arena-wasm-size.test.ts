// A size check for the core modules: they stay small (no runtime heap, no GC).
import { stat } from 'node:fs/promises';
import { expect, it } from 'vitest';

const BUDGET = 88 * 1024; // arena, KV pool, weight kernels, K-quants and ops together: ~70 KB at the merge of kernels, kquants and ops; ~83 KB with the GeGLU, soft-cap, windowed attention and RoPE attn factor

for (const file of ['core.wasm', 'core.relaxed.wasm', 'core.shared.wasm', 'core.shared-relaxed.wasm']) {
  it(`keeps build/${file} under ${BUDGET} bytes`, async () => {
    const { size } = await stat(new URL(`../../build/${file}`, import.meta.url));
    expect(size, `build/${file}: ${size} bytes (budget ${BUDGET})`).toBeLessThan(BUDGET);
  });
}
