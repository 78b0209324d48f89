/**
 * The token mask against brute force on real vocabularies: for states of the
 * JSON grammar (inside strings, keys, numbers, mid-character after a partial
 * UTF-8 token), the allowed set from the trie walk, with its shortcuts for
 * subtrees that loop in a string, equals walking every token's bytes one by one.
 */
import { describe, expect, it } from 'vitest';
import { createTokenizer, type Tokenizer } from '../../src/text/index.ts';
import { GrammarAutomaton, GrammarMatcher, JSON_GBNF, jsonSchemaToGrammar, parseGbnf } from '../../src/text/grammar/index.ts';
import { DEAD } from '../../src/text/grammar/automaton.ts';
import { vocabTokenizerModel } from '../cases/text-models.ts';

const PREFIXES: Array<string | number[]> = [
  '',
  '{"',
  '{"k": "',
  '{"k": "abc',
  '{"k": "é',
  '{"k": "x\\',
  '{"k": [1',
  '{"k": "中文',
  '{ "a": {"b": "',
  [...new TextEncoder().encode('{"k": "'), 0xe4], // mid-character
  [...new TextEncoder().encode('{"k": "'), 0xf0, 0x9f],
];

function check(tok: Tokenizer, gbnf: string, prefixes: Array<string | number[]>): void {
  const a = new GrammarAutomaton(parseGbnf(gbnf));
  const pieces = Array.from({ length: tok.vocabSize }, (_, id) => tok.pieceBytes(id));
  for (const p of prefixes) {
    const bytes = typeof p === 'string' ? new TextEncoder().encode(p) : Uint8Array.from(p);
    const start = a.walk(a.start, bytes);
    expect(start, String(p)).not.toBe(DEAD);
    const m = new GrammarMatcher(a, tok, false);
    m.advance(bytes);
    const bits = m.allowed();
    let allowed = 0;
    for (let id = 0; id < tok.vocabSize; id++) {
      const want = pieces[id].length > 0 && a.walk(start, pieces[id]) !== DEAD;
      const got = ((bits[id >>> 5] >>> (id & 31)) & 1) === 1;
      if (got !== want && !(tok.isEog(id) && a.accepting(start))) {
        throw new Error(`prefix ${JSON.stringify(p)}: token ${id} ${JSON.stringify(tok.piece(id))} allowed=${got}, brute force ${want}`);
      }
      if (want) allowed++;
    }
    expect(allowed).toBeGreaterThan(0);
  }
}

describe('the mask equals brute force', () => {
  for (const name of ['gpt-2', 'deepseek-llm', 'llama-spm']) {
    it(`on the ${name} vocabulary, for the JSON grammar and a JSON Schema`, async () => {
      const tok = createTokenizer(await vocabTokenizerModel(name));
      check(tok, JSON_GBNF, PREFIXES);
      const schema = jsonSchemaToGrammar({
        type: 'object',
        properties: { k: { type: 'string', maxLength: 30 }, n: { type: 'integer', minimum: -5, maximum: 300 } },
      }).grammar;
      check(tok, schema, ['', '{', '{ "k"', '{"k":"', '{"k":"ab', '{"n":', '{"n":2']);
    }, 120_000);
  }
});

describe('states inside characters', () => {
  it("a string of at most 60 characters (no loop to shortcut) on deepseek-llm's vocabulary stays within the automaton's bounds", async () => {
    const tok = createTokenizer(await vocabTokenizerModel('deepseek-llm'));
    const a = new GrammarAutomaton(parseGbnf(jsonSchemaToGrammar({ type: 'string', maxLength: 60 }).grammar));
    const m = new GrammarMatcher(a, tok, false);
    m.advance(new TextEncoder().encode('"'));
    let last = 0;
    for (let i = 0; i < 60; i++) {
      const bits = m.allowed();
      let n = 0;
      for (const w of bits) for (let x = w; x; x &= x - 1) n++;
      expect(n).toBeGreaterThan(1000);
      last = n;
      m.advance(new TextEncoder().encode('中'));
    }
    expect(last).toBeGreaterThan(0);
    // after 60 characters only the closing quote (and tokens starting with it) may follow
    const end = m.allowed();
    const quote = tok.encode('"', { addSpecial: false })[0];
    expect((end[quote >>> 5] >>> (quote & 31)) & 1).toBe(1);
    expect(a.stateCount).toBeLessThan(200_000);
  }, 120_000);
});
