// The kernel cases (test/cases/kernel-cases.ts) in a Chromium page, against both core builds (SIMD, Relaxed SIMD).
import { describe, it } from 'vitest';
import { CORE_BUILDS } from '../cases/core-builds.ts';
import { kernelCases } from '../cases/kernel-cases.ts';

for (const build of CORE_BUILDS) {
  describe(`kernels, ${build} build (page)`, () => {
    for (const [name, body] of Object.entries(kernelCases(build))) it(name, body);
  });
}
