// The kernel cases (test/cases/kernel-cases.ts) in Node, against both core builds.
// The relaxed build needs --experimental-wasm-relaxed-simd on Node 20 (vitest.config.ts, unit project execArgv).
import { describe, it } from 'vitest';
import { CORE_BUILDS } from '../cases/core-builds.ts';
import { kernelCases } from '../cases/kernel-cases.ts';

for (const build of CORE_BUILDS) {
  describe(`kernels, ${build} build (Node)`, () => {
    for (const [name, body] of Object.entries(kernelCases(build))) it(name, body);
  });
}
