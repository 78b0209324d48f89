// The arena cases (test/cases/arena-cases.ts) in a Chromium page.
import { describe, it } from 'vitest';
import { arenaCases } from '../cases/arena-cases.ts';

describe('arena (page)', () => {
  for (const [name, body] of Object.entries(arenaCases)) it(name, body);
});
