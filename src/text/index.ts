/** Text in and out: tokenizers from GGUF metadata, streaming detokenizer, chat templates, sampling, stop strings. */
export { createTokenizer } from './tokenizer.ts';
export type { DecodeOptions, EncodeOptions, Tokenizer } from './tokenizer.ts';
export type { TokenizerMetadata, TokenizerModel } from './vocab.ts';
export { PRE_TOKENIZERS } from './pretokenizers.ts';
export type { PreTokenizer } from './pretokenizers.ts';
