// The ops cases (test/cases/ops-cases.ts) in a Chromium page.
import { describe, it } from 'vitest';
import { opsCases } from '../cases/ops-cases.ts';

describe('ops kernels (page)', () => {
  for (const [name, body] of Object.entries(opsCases)) it(name, body);
});
