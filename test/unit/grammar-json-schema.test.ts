/**
 * JSON Schema → GBNF against llama.cpp: for each case of llama.cpp's own
 * tests/test-json-schema-to-grammar.cpp (schema and the grammar llama.cpp
 * produces, recorded by scripts/make-schema-grammar-vectors.mjs), both grammars
 * are parsed with the project's GBNF parser and must accept and reject the
 * same documents: documents drawn at random from each grammar, and mutations
 * of them (a byte deleted, inserted, replaced, the end cut).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { GrammarAutomaton, parseGbnf } from '../../src/text/grammar/index.ts';
import { DEAD } from '../../src/text/grammar/automaton.ts';
import { jsonSchemaToGrammar } from '../../src/text/grammar/json-schema.ts';
import { prng } from '../cases/prng.ts';
import { REPO_ROOT } from '../cases/fixtures-dir.ts';

interface Case {
  name: string;
  status: 'SUCCESS' | 'FAILURE';
  schema: unknown;
  schemaText: string;
  grammar: string;
}
const { cases } = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/json-schema/llama-cpp-cases.json`, 'utf8')) as { cases: Case[] };

/** Keywords llama.cpp converts that this converter refuses by design (outside the list). */
const REFUSED = ['allOf'];

function accepts(a: GrammarAutomaton, bytes: Uint8Array): boolean {
  const s = a.walk(a.start, bytes);
  return s !== DEAD && a.accepting(s);
}

/** A random sentence of the grammar (bytes), or null when the walk ran too long. */
function sample(a: GrammarAutomaton, rnd: () => number, maxLen = 160): Uint8Array | null {
  const out: number[] = [];
  let s = a.start;
  for (;;) {
    if (a.accepting(s) && (rnd() < 0.3 || out.length > maxLen / 2)) return Uint8Array.from(out);
    const next: number[] = [];
    for (let b = 0; b < 256; b++) if (a.step(s, b) !== DEAD) next.push(b);
    if (next.length === 0) return a.accepting(s) ? Uint8Array.from(out) : null;
    if (out.length > maxLen) return null;
    // prefer ASCII so structure, not multi-byte characters, gets explored
    const ascii = next.filter((b) => b < 0x80);
    const pool = ascii.length > 0 && rnd() < 0.9 ? ascii : next;
    const b = pool[Math.floor(rnd() * pool.length)];
    out.push(b);
    s = a.step(s, b);
  }
}

function mutations(doc: Uint8Array, rnd: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const pick = () => Math.floor(rnd() * (doc.length + 1));
  const chars = Array.from(new TextEncoder().encode('{}[]",:0123456789-.eE abcnulltrfs\\\n'));
  for (let k = 0; k < 6; k++) {
    const i = pick();
    const c = chars[Math.floor(rnd() * chars.length)];
    out.push(Uint8Array.from([...doc.slice(0, i), c, ...doc.slice(i)]));
    if (doc.length > 0) {
      const j = Math.min(i, doc.length - 1);
      out.push(Uint8Array.from([...doc.slice(0, j), ...doc.slice(j + 1)]));
      out.push(Uint8Array.from([...doc.slice(0, j), c, ...doc.slice(j + 1)]));
    }
  }
  out.push(doc.slice(0, Math.floor(doc.length / 2)));
  return out;
}

describe('JSON Schema → GBNF matches llama.cpp', () => {
  let exact = 0;
  let compared = 0;
  for (const c of cases) {
    if (c.status !== 'SUCCESS' || c.schema === null) continue;
    const usesRefused = REFUSED.find((k) => c.schemaText.includes(`"${k}"`));
    if (usesRefused) {
      it(`${c.name}: refuses ${usesRefused} with INVALID_ARGUMENT naming it`, () => {
        let err: unknown;
        try {
          jsonSchemaToGrammar(c.schema);
        } catch (e) {
          err = e;
        }
        expect(isGgufPagerError(err, 'INVALID_ARGUMENT')).toBe(true);
        expect((err as Error).message).toContain(usesRefused);
      });
      continue;
    }
    it(`${c.name}: accepts and rejects what llama.cpp's grammar does`, () => {
      const mine = jsonSchemaToGrammar(c.schema).grammar;
      compared++;
      if (mine.trim() === c.grammar.trim()) exact++;
      const ours = new GrammarAutomaton(parseGbnf(mine));
      const theirs = new GrammarAutomaton(parseGbnf(c.grammar));
      const rnd = prng(c.name.length * 7919 + 13);
      let docs = 0;
      let rejected = 0;
      for (const [from, other] of [
        [theirs, ours],
        [ours, theirs],
      ] as const) {
        for (let k = 0; k < 25; k++) {
          const doc = sample(from, rnd);
          if (!doc) continue;
          docs++;
          const text = new TextDecoder().decode(doc);
          expect(accepts(other, doc), `${JSON.stringify(text)} is accepted by one grammar only\n--- ours\n${mine}`).toBe(true);
          for (const m of mutations(doc, rnd)) {
            const a = accepts(ours, m);
            expect(a, `${JSON.stringify(new TextDecoder().decode(m))}: ours ${a}\n--- ours\n${mine}`).toBe(accepts(theirs, m));
            if (!a) rejected++;
          }
        }
      }
      expect(docs).toBeGreaterThan(0);
      if (c.grammar.includes('[')) expect(rejected).toBeGreaterThan(0);
    });
  }
  it('prints the very grammar text llama.cpp prints, for every case compared', () => {
    expect(compared).toBeGreaterThan(60);
    expect(exact).toBe(compared);
  });
});

describe('JSON Schema errors', () => {
  const bad: Array<[unknown, string]> = [
    [{ type: 'string', not: { const: 'a' } }, 'not'],
    [{ type: 'array', uniqueItems: true }, 'uniqueItems'],
    [{ type: 'number', multipleOf: 2 }, 'multipleOf'],
    [{ type: 'object', properties: { a: { type: 'string', if: {} } } }, 'if'],
    [{ type: 'number', minimum: 1 }, 'minimum'],
    [{ type: 'kaboom' }, 'type'],
    [{ type: 123 }, 'type'],
    [{ type: 'string', pattern: '^(a$' }, 'pattern'],
    [{ $ref: 'http://example.com/x' }, '$ref'],
    [{ $ref: '#/$defs/missing' }, '$ref'],
    [{ type: 'array', minItems: -1 }, 'minItems'],
  ];
  it('refuses a schema nested thousands deep with INVALID_ARGUMENT, not a stack overflow', () => {
    let s: unknown = { type: 'string' };
    for (let i = 0; i < 20000; i++) s = { type: 'array', items: s };
    expect(() => jsonSchemaToGrammar(s)).toThrow(/nested deeper than 128 schemas/);
  });
  for (const [schema, keyword] of bad) {
    it(`refuses ${JSON.stringify(schema)} naming ${keyword}`, () => {
      let err: unknown;
      try {
        jsonSchemaToGrammar(schema);
      } catch (e) {
        err = e;
      }
      expect(isGgufPagerError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
      expect((err as GgufLike).details.keyword).toBe(keyword);
      expect((err as Error).message).toContain(keyword);
    });
  }
});

type GgufLike = { details: Record<string, unknown> };
