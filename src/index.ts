/**
 * gguf-pager's public API. A page starts a runtime (a worker owning one Wasm
 * arena of the budget's size), loads GGUF models into it by URL or File, and
 * reads progress and stats; the weights stay in the worker.
 *
 *   const rt = await createRuntime({ budget: 512 * 2 ** 20 });
 *   const model = await rt.load('https://…/model.gguf', { onProgress: (p) => … });
 *   console.log(model.info.tensors.length, await model.stats());
 */
export { createRuntime, defaultBudget } from './runtime/client.ts';
export type { ModelInput, Runtime, RuntimeCache } from './runtime/client.ts';
export type { ChatCallOptions, GenerateCallOptions, ModelHandle } from './runtime/model-handle.ts';
export type { GenerationRun } from './runtime/generation-run.ts';
export type { VerifyResult } from './runtime/cache-verify.ts';
export type { IntegrityReport } from './sources/cache/integrity.ts';
export type {
  ArenaStatsView,
  CachedEntry,
  CacheStore,
  LoadOptions,
  LoadPhase,
  LoadProgress,
  ModelInfo,
  ModelStats,
  PagerStatsView,
  PagingDryRunOptions,
  PagingDryRunSample,
  RuntimeOptions,
  RuntimeStats,
  TensorRow,
  WarmupResult,
  ChatMessage,
  GenerateOptions,
  GenerateResult,
  GenerationStats,
  Piece,
  StopReason,
} from './runtime/protocol.ts';
export type { OffloadPolicy, EvictionKind } from './pager/policy.ts';
export { GgufPagerError, isGgufPagerError, type ErrorCode } from './errors.ts';
export type { GgufModel, GgufValue, TensorInfo } from './gguf/types.ts';

// For code that runs in a worker (an inference engine): the worker runtime to extend, and the pager and its parts.
export { WorkerRuntime } from './runtime/worker-runtime.ts';
export { installErrorTransfer } from './runtime/transfer.ts';
export { LayerPager, type LayerPagerOptions } from './pager/layer-pager.ts';
export type { Lease, LeaseGroup, LayerLease } from './pager/lease.ts';
export { createCore, type Core } from './core/core.ts';
// The generation engine, for Node tools and custom workers.
export { ModelEngine } from './engine/engine.ts';
export { ARCHITECTURES, findArchitecture, type Architecture } from './engine/architecture.ts';
export { parseGguf } from './gguf/parse.ts';
export { writeGguf, ggufHeaderBytes } from './authoring/write.ts';
export { syntheticLlama, type SyntheticLlamaOptions } from './authoring/synthetic.ts';
export type { PagerSource, SourceIdentity } from './sources/source.ts';
export { HttpRangeSource } from './sources/http/source.ts';
export { CachedSource } from './sources/cache/cached.ts';
export { BlobSource } from './sources/blob.ts';
export { MemorySource } from './sources/memory.ts';

// Which core build runs (Relaxed SIMD or plain SIMD); custom workers import from 'gguf-pager/worker'.
export { relaxedSimdSupported, type CoreBuild, type CoreBuildInfo } from './core/core-build.ts';
export { exposeRuntime } from './worker-api.ts';
// Text (src/text): tokenizers from GGUF metadata, streaming detokenizer, chat templates, sampling, stop strings.
export {
  createTokenizer,
  StreamingDetokenizer,
  applyChatTemplate,
  chatTemplateOptions,
  CHATML_TEMPLATE,
  Sampler,
  StopMatcher,
} from './text/index.ts';
export type {
  Tokenizer,
  EncodeOptions,
  DecodeOptions,
  StreamingDetokenizerOptions,
  ChatTemplateOptions,
  ChatTemplateResult,
  SamplingOptions,
  StopResult,
  TokenizerMetadata,
  TokenizerModel,
} from './text/index.ts';
// OpenAI-style API (src/api; docs/openai.md) and constrained generation (src/text/grammar).
export { createOpenAiApi, parseToolCalls, type OpenAiApi, type ApiBackend, type EmbedResult, type Pooling } from './api/index.ts';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionParams,
  Completion,
  CompletionChunk,
  CompletionParams,
  EmbeddingParams,
  EmbeddingResponse,
  ChatCompletions,
  Completions,
  Embeddings,
  ToolCall,
  Usage,
} from './api/index.ts';
export { engineBackend } from './api/engine-backend.ts';
export { parseGbnf, jsonSchemaToGrammar, JSON_GBNF, GrammarAutomaton, GrammarMatcher } from './text/grammar/index.ts';
export type { Grammar, SchemaGrammar } from './text/grammar/index.ts';
