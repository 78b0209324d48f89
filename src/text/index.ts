/** Text in and out: tokenizers from GGUF metadata, streaming detokenizer, chat templates, sampling, stop strings. */
export { createTokenizer } from './tokenizer.ts';
export type { DecodeOptions, EncodeOptions, Tokenizer } from './tokenizer.ts';
export type { TokenizerMetadata, TokenizerModel } from './vocab.ts';
export { StreamingDetokenizer } from './streaming.ts';
export type { StreamingDetokenizerOptions } from './streaming.ts';
export { applyChatTemplate, chatTemplateOptions, CHATML_TEMPLATE } from './chat.ts';
export type { ChatMessage, ChatTemplateOptions, ChatTemplateResult } from './chat.ts';
export { Sampler } from './sampler.ts';
export type { SamplingOptions } from './sampler.ts';
export { StopMatcher } from './stop.ts';
export type { StopResult } from './stop.ts';
