/** Constrained generation: GBNF grammars, their byte automaton, the per-step token mask, JSON Schema → GBNF. */
export { parseGbnf, grammarError, type Grammar } from './gbnf.ts';
export { GrammarAutomaton, DEAD, grammarAccepts } from './automaton.ts';
export { GrammarMatcher, automatonOf } from './token-mask.ts';
export { VocabTrie, vocabTrieOf, type GrammarVocab } from './vocab-trie.ts';
export { JSON_GBNF } from './json-gbnf.ts';
export { jsonSchemaToGrammar, gbnfLiteral, type SchemaGrammar } from './json-schema.ts';
