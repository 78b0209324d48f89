/**
 * Sampling under a grammar on real models (stories260K and a synthetic llama
 * with random weights, neither of which writes JSON by itself): over many
 * seeds and temperatures every output stays inside the grammar, and a
 * generation that ends by itself ends on a complete sentence with 'stop'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standalone } from '../../src/engine/standalone.ts';
import { GrammarAutomaton, GrammarMatcher, JSON_GBNF, parseGbnf } from '../../src/text/grammar/index.ts';
import { DEAD, grammarAccepts } from '../../src/text/grammar/automaton.ts';
import { openReference, reference, STORIES } from '../cases/gen-models.ts';

const PERSON = String.raw`root ::= "{\"name\": \"" [A-Z] [a-z]{1,6} "\", \"age\": " [1-9] [0-9]? ", \"tags\": [" tag ("," tag){0,2} "]}"
tag ::= "\"" [a-z]{2,5} "\""`;
const ARITH = `root ::= expr
expr ::= term ([-+*/] term){0,4}
term ::= [0-9]{1,3} | "(" [0-9]+ " + " [0-9]+ ")"`;

const models: Array<[string, string]> = [
  ['stories260K', STORIES],
  ['synthetic llama', 'llama-F32'],
];

for (const [label, ref] of models) {
  describe(`grammar-constrained sampling on ${label}`, () => {
    let s: Standalone;
    beforeAll(async () => {
      s = await openReference(reference(ref));
    });
    afterAll(async () => {
      await s?.dispose();
    });

    for (const [name, g] of [
      ['a fixed-shape person object', PERSON],
      ['arithmetic', ARITH],
    ] as const) {
      it(`every output of ${name} parses with the grammar, over seeds and temperatures`, async () => {
        const a = new GrammarAutomaton(parseGbnf(g));
        let stopped = 0;
        for (let seed = 1; seed <= 8; seed++) {
          for (const temperature of [0, 0.7, 1.5]) {
            const r = await s.engine.generate('Once upon a time', { grammar: g, seed, temperature, topK: 0, topP: 1, minP: 0, maxTokens: 80 });
            const walked = a.walk(a.start, new TextEncoder().encode(r.text));
            expect(walked, `seed ${seed} t ${temperature}: ${JSON.stringify(r.text)} left the grammar`).not.toBe(DEAD);
            if (r.stopReason !== 'maxTokens') {
              expect(r.stopReason).toMatch(/^(stop|eog)$/);
              expect(grammarAccepts(a, r.text), r.text).toBe(true);
              stopped++;
            }
            if (name === 'a fixed-shape person object' && r.stopReason === 'stop') {
              const v = JSON.parse(r.text) as { name: string; age: number; tags: string[] };
              expect(v.tags.length).toBeGreaterThan(0);
            }
          }
        }
        // the person grammar is finite: each generation ends on a complete sentence with 'stop'
        if (name === 'a fixed-shape person object') expect(stopped).toBe(24);
        else expect(stopped).toBeGreaterThan(0);
      });
    }

    it('JSON objects from the JSON grammar are valid JSON whenever the generation ends by itself', async () => {
      const a = new GrammarAutomaton(parseGbnf(JSON_GBNF));
      for (let seed = 1; seed <= 10; seed++) {
        const r = await s.engine.generate('Once upon a time', { grammar: JSON_GBNF, seed, temperature: 1, topK: 0, topP: 1, minP: 0, maxTokens: 60 });
        expect(a.walk(a.start, new TextEncoder().encode(r.text)), r.text).not.toBe(DEAD);
        if (r.stopReason !== 'maxTokens') {
          expect(() => JSON.parse(r.text), r.text).not.toThrow();
        }
      }
    });

    it('stops at once where the grammar is complete, with finish reason stop', async () => {
      const r = await s.engine.generate('Once upon a time', { grammar: 'root ::= "yes" | "no"', seed: 3, temperature: 1, maxTokens: 50 });
      expect(['yes', 'no']).toContain(r.text);
      expect(r.stopReason).toBe('stop');
    });
  });
}

describe('the token mask', () => {
  let s: Standalone;
  beforeAll(async () => {
    s = await openReference(reference(STORIES));
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it('allows exactly the tokens whose bytes keep the text inside the grammar (checked token by token)', () => {
    const tok = s.engine.tokenizer;
    const g = 'root ::= "Once" " upon"? [ a-z]{0,12} "."';
    const a = new GrammarAutomaton(parseGbnf(g));
    const m = new GrammarMatcher(a, tok, false);
    const bits = m.allowed();
    let allowed = 0;
    for (let id = 0; id < tok.vocabSize; id++) {
      const b = tok.pieceBytes(id, false);
      const want = b.length > 0 && a.walk(a.start, b) !== DEAD;
      expect((bits[id >>> 5] >>> (id & 31)) & 1, `token ${id} ${JSON.stringify(tok.piece(id))}`).toBe(want ? 1 : 0);
      if (want) allowed++;
    }
    expect(allowed).toBeGreaterThan(1);
    // end-of-generation tokens only where the text is complete
    const eos = tok.eos!;
    expect((bits[eos >>> 5] >>> (eos & 31)) & 1).toBe(0);
    // the first token's SentencePiece space is stripped, as the detokenizer strips it: " Once" starts the text "Once"
    const m2 = new GrammarMatcher(a, tok);
    for (const id of tok.encode('Once upon a time.', { addSpecial: false })) m2.accept(id);
    expect(m2.accepting).toBe(true);
    expect((m2.allowed()[eos >>> 5] >>> (eos & 31)) & 1).toBe(1);
  });

  it('refuses a token the grammar does not allow with INVALID_ARGUMENT', () => {
    const tok = s.engine.tokenizer;
    const m = new GrammarMatcher(new GrammarAutomaton(parseGbnf('root ::= "a"')), tok, false);
    const id = tok.encode('b', { addSpecial: false }).at(-1)!;
    expect(() => m.accept(id)).toThrow(/does not continue the text/);
  });
});
