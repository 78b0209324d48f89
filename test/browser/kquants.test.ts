// The K-quant kernel cases (test/cases/kquant-cases.ts) in a Chromium page, both core builds.
import { describe, it } from 'vitest';
import { kquantCases } from '../cases/kquant-cases.ts';

describe('K-quant kernels (page)', () => {
  for (const [name, body] of Object.entries(kquantCases)) it(name, body);
});
