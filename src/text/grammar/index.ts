/** Constrained generation: GBNF grammars, their byte automaton, the per-step token mask, JSON Schema → GBNF. */
export { parseGbnf, grammarError, type Grammar } from './gbnf.ts';
export { GrammarAutomaton } from './automaton.ts';
export { GrammarMatcher, automatonOf } from './token-mask.ts';
export { JSON_GBNF } from './json-gbnf.ts';
export { jsonSchemaToGrammar, type SchemaGrammar } from './json-schema.ts';
