// The KV page pool cases (test/cases/kv-cases.ts) in a Chromium page.
import { describe, it } from 'vitest';
import { kvCases } from '../cases/kv-cases.ts';

describe('KV page pool (page)', () => {
  for (const [name, body] of Object.entries(kvCases)) it(name, body);
});
