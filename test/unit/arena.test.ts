// The arena cases (test/cases/arena-cases.ts) in Node.
import { describe, it } from 'vitest';
import { arenaCases } from '../cases/arena-cases.ts';

describe('arena (Node)', () => {
  for (const [name, body] of Object.entries(arenaCases)) it(name, body);
});
