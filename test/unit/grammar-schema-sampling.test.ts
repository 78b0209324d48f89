/**
 * Generation under a JSON Schema on models that never write JSON by
 * themselves (stories260K, a synthetic llama with random weights): every
 * output that ends by itself is valid JSON and validates against the schema
 * with a JSON Schema validator (ajv, dev-only), over seeds and temperatures.
 */
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standalone } from '../../src/engine/standalone.ts';
import { jsonSchemaToGrammar } from '../../src/text/grammar/index.ts';
import { openReference, reference, STORIES } from '../cases/gen-models.ts';

const SCHEMAS: Record<string, object> = {
  person: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 8 },
      age: { type: 'integer', minimum: 0, maximum: 120 },
      pet: { enum: ['cat', 'dog', null] },
    },
    required: ['name', 'age', 'pet'],
    additionalProperties: false,
  },
  list: { type: 'array', items: { type: 'integer', minimum: -5, maximum: 5 }, minItems: 1, maxItems: 4 },
  choice: {
    $defs: { point: { type: 'object', properties: { x: { type: 'integer' }, y: { type: 'integer' } }, required: ['x', 'y'], additionalProperties: false } },
    oneOf: [{ $ref: '#/$defs/point' }, { type: 'string', pattern: '^[a-c]{2,3}-[0-9]$' }, { const: true }],
  },
};

const ajv = new Ajv({ strict: false });

for (const [label, ref] of [
  ['stories260K', STORIES],
  ['synthetic llama', 'llama-F32'],
] as const) {
  describe(`JSON Schema output on ${label}`, () => {
    let s: Standalone;
    beforeAll(async () => {
      s = await openReference(reference(ref));
    });
    afterAll(async () => {
      await s?.dispose();
    });

    for (const [name, schema] of Object.entries(SCHEMAS)) {
      it(`every finished output validates against the ${name} schema`, async () => {
        const { grammar } = jsonSchemaToGrammar(schema);
        const validate = ajv.compile(schema);
        let finished = 0;
        for (let seed = 1; seed <= 6; seed++) {
          for (const temperature of [0, 0.8, 2]) {
            const r = await s.engine.generate('Once upon a time', { grammar, seed, temperature, topK: 0, topP: 1, minP: 0, maxTokens: 96 });
            if (r.stopReason === 'maxTokens') continue;
            finished++;
            const v: unknown = JSON.parse(r.text);
            expect(validate(v), `${r.text}: ${ajv.errorsText(validate.errors)}`).toBe(true);
          }
        }
        expect(finished).toBeGreaterThan(9);
      });
    }
  });
}
