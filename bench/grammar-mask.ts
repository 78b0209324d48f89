/**
 * Grammar-masked sampling cost per step on a 128,256-token vocabulary (part of
 * bench:text). The vocabulary: deepseek-llm's 102,400 tokens (ids kept) then
 * gpt-2's, falcon's and starcoder's tokens it lacks, up to 128,256 distinct
 * byte strings, all real tokens. The workload: JSON documents written token by token (deepseek-llm's
 * tokenization of seeded random objects) under the JSON grammar and under a
 * JSON Schema; each step applies the mask to 128,256 logits and accepts the
 * token. Reported: median and 90th percentile CPU ms per step, with a fresh
 * automaton (cold: every state and transition built on the way) and on the
 * second document (warm). The mask test (test/unit/grammar-sampling.test.ts) checks the walk token by token.
 */
import { JSON_GBNF } from '../src/text/grammar/json-gbnf.ts';
import { jsonSchemaToGrammar } from '../src/text/grammar/json-schema.ts';
import { GrammarAutomaton, parseGbnf, GrammarMatcher } from '../src/text/grammar/index.ts';
import type { GrammarVocab } from '../src/text/grammar/vocab-trie.ts';
import type { Tokenizer } from '../src/text/tokenizer.ts';
import { prng } from '../test/cases/prng.ts';

export const VOCAB = 128_256;

export interface MaskResult {
  grammar: string;
  vocabSize: number;
  steps: number;
  coldMedianMs: number;
  coldP90Ms: number;
  warmMedianMs: number;
  warmP90Ms: number;
  walksPerStepWarm: number;
}

/** A vocabulary of `size` distinct real token byte strings: `main`'s ids first, then `extra`'s tokens main lacks. */
export function unionVocab(main: Tokenizer, extras: Tokenizer[], size = VOCAB): GrammarVocab {
  const pieces: Uint8Array[] = [];
  const seen = new Set<string>();
  const add = (b: Uint8Array) => {
    const k = Buffer.from(b).toString('latin1');
    if (b.length === 0 || !seen.has(k)) pieces.push(b);
    seen.add(k);
  };
  for (let id = 0; id < main.vocabSize; id++) add(main.pieceBytes(id));
  for (const extra of extras) {
    for (let id = 0; id < extra.vocabSize && pieces.length < size; id++) {
      const b = extra.pieceBytes(id);
      if (b.length > 0) add(b);
    }
  }
  const eos = main.eos ?? 0;
  return { vocabSize: pieces.length, pieceBytes: (id) => pieces[id], isEog: (id) => id === eos, eogIds: new Set([eos]), addSpacePrefix: false };
}

function document(rnd: () => number, depth = 0): unknown {
  const words = ['alpha', 'beta', 'name', 'value', 'city', 'Paris', 'zip', 'items', 'ok', 'note', 'count', 'the quick brown fox'];
  const w = () => words[Math.floor(rnd() * words.length)];
  const o: Record<string, unknown> = {};
  const n = 2 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    o[`${w()}${i}`] =
      r < 0.3
        ? `${w()} ${w()} ${Math.floor(rnd() * 1000)}`
        : r < 0.5
          ? Math.round(rnd() * 1e5) / 100
          : r < 0.6
            ? rnd() < 0.5
            : r < 0.8 && depth < 2
              ? document(rnd, depth + 1)
              : [Math.floor(rnd() * 100), w()];
  }
  return o;
}

const SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 8 },
    address: {
      type: 'object',
      properties: { city: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
      required: ['city', 'zip'],
      additionalProperties: false,
    },
  },
  required: ['name', 'age', 'tags', 'address'],
  additionalProperties: false,
};

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/** Per step: this process's CPU time (user + system) for the mask, in ms: other processes on a shared machine do not count. */
function run(vocab: GrammarVocab, a: GrammarAutomaton, ids: number[], logits: Float32Array): { times: number[]; walks: number } {
  const m = new GrammarMatcher(a, vocab, false);
  const times: number[] = [];
  const l = new Float32Array(logits.length);
  for (const id of ids) {
    l.set(logits);
    const c0 = process.cpuUsage();
    m.apply(l);
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1000);
    m.accept(id);
  }
  return { times, walks: m.walks };
}

export function maskBench(vocab: GrammarVocab, tok: Tokenizer): MaskResult[] {
  const rnd = prng(11);
  const logits = Float32Array.from({ length: vocab.vocabSize }, () => rnd() * 10);
  const out: MaskResult[] = [];
  const docs: Array<[string, string, string[]]> = [
    ['JSON grammar (json_object)', JSON_GBNF, [JSON.stringify(document(rnd)), JSON.stringify(document(rnd), null, 1)]],
    [
      'JSON Schema (object, integer range, array, pattern)',
      jsonSchemaToGrammar(SCHEMA).grammar,
      [
        JSON.stringify({ name: 'Ada Lovelace', age: 36, tags: ['math', 'engines', 'poetry'], address: { city: 'London', zip: '12345' } }),
        JSON.stringify({ name: 'Grace Hopper', age: 85, tags: ['cobol', 'navy'], address: { city: 'New York', zip: '10001' } }),
      ],
    ],
    [
      'JSON Schema with a bounded string (maxLength 40: no loop to shortcut)',
      jsonSchemaToGrammar({ type: 'object', properties: { note: { type: 'string', maxLength: 40 } }, required: ['note'], additionalProperties: false }).grammar,
      [JSON.stringify({ note: 'The quick brown fox jumps over the dog' }), JSON.stringify({ note: 'A short note about nothing in particular' })],
    ],
  ];
  for (const [name, gbnf, [d1, d2]] of docs) {
    const a = new GrammarAutomaton(parseGbnf(gbnf));
    const ids1 = tok.encode(d1, { addSpecial: false });
    const ids2 = tok.encode(d2, { addSpecial: false });
    const cold = run(vocab, a, ids1, logits);
    const warm = run(vocab, a, ids2, logits);
    out.push({
      grammar: name,
      vocabSize: vocab.vocabSize,
      steps: ids1.length + ids2.length,
      coldMedianMs: pct(cold.times, 0.5),
      coldP90Ms: pct(cold.times, 0.9),
      warmMedianMs: pct(warm.times, 0.5),
      warmP90Ms: pct(warm.times, 0.9),
      walksPerStepWarm: warm.walks / ids2.length,
    });
  }
  return out;
}
