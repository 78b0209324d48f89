#!/usr/bin/env node
/**
 * Records llama.cpp's own JSON-Schema → GBNF cases (the schema and the grammar
 * llama.cpp's common/json-schema-to-grammar.cpp must produce, written in its
 * tests/test-json-schema-to-grammar.cpp) into test/vectors/json-schema/llama-cpp-cases.json.
 * The tests parse both grammars with the project's GBNF parser and compare
 * what they accept. Rerun with the llama.cpp source the references come from:
 *
 *   node scripts/make-schema-grammar-vectors.mjs --llama-src <llama.cpp checkout>
 */
import { readFileSync, writeFileSync } from 'node:fs';

const i = process.argv.indexOf('--llama-src');
if (i < 0) throw new Error('usage: make-schema-grammar-vectors.mjs --llama-src <llama.cpp checkout>');
const root = process.argv[i + 1];
const file = `${root}/tests/test-json-schema-to-grammar.cpp`;
const src = readFileSync(file, 'utf8');
// a C++ raw string R"""(…)""" or a plain "…" literal
const RAW = String.raw`(?:R"""\(([\s\S]*?)\)"""|"((?:[^"\\]|\\.)*)")`;
const re = new RegExp(String.raw`test\(\{\s*(SUCCESS|FAILURE),\s*"((?:[^"\\]|\\.)*)",\s*` + RAW + String.raw`,\s*` + RAW + String.raw`\s*\}\);`, 'g');
// trim() of the C++ test: strip the ends and each line's indentation
const trim = (s) => s.trim().replace(/(^|\n)[ \t]+/g, '$1');
const cases = [];
for (const m of src.matchAll(re)) {
  const [, status, name, rs, ps, rg, pg] = m;
  const schema = rs ?? JSON.parse(`"${ps}"`);
  const grammar = rg ?? JSON.parse(`"${pg}"`);
  let parsed;
  try {
    parsed = JSON.parse(schema);
  } catch {
    parsed = null;
  }
  cases.push({ name: JSON.parse(`"${name}"`), status, schemaText: schema.trim(), schema: parsed, grammar: trim(grammar) });
}
const release = (() => {
  try {
    return readFileSync(`${root}/.git/HEAD`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
})();
writeFileSync(
  new URL('../test/vectors/json-schema/llama-cpp-cases.json', import.meta.url),
  JSON.stringify({ by: 'scripts/make-schema-grammar-vectors.mjs', from: 'llama.cpp tests/test-json-schema-to-grammar.cpp', head: release, cases }, null, 1) +
    '\n',
);
console.log(`${cases.length} cases (${cases.filter((c) => c.status === 'SUCCESS').length} SUCCESS) from ${file}`);
