/**
 * A loaded model as the page holds it (`rt.load` resolves to one) and the
 * options of its calls. Its own file so that the OpenAI-style namespaces
 * (api/handle-backend.ts) and the runtime that builds handles (client.ts)
 * both import it without an import circle.
 */
import type { ChatMessage, GenerateOptions, ModelInfo, ModelStats, Piece, PagingDryRunOptions, PagingDryRunSample, WarmupResult } from './protocol.ts';
import type { GenerationRun } from './generation-run.ts';
import type { ChatCompletions, Completions, Embeddings } from '../api/index.ts';

/** Options of `generate` and `chat` on the page. */
export interface GenerateCallOptions extends GenerateOptions {
  /** Called with each piece as it arrives (pieces come in batches). */
  onToken?: (piece: Piece) => void;
  /** Return the logits of every computed position in the result (for checks; costly). */
  logits?: boolean;
}

export interface ChatCallOptions extends GenerateCallOptions {
  /** A Jinja chat template instead of the model's own. */
  template?: string;
  /** Variables the template reads beyond messages (e.g. `{ enable_thinking: false }` for Qwen3's). */
  templateVars?: Record<string, unknown>;
}

/** What `readTensor`, `pagingDryRun` and `prefetch` take besides their arguments. */
export interface CallOptions {
  /** Aborting rejects the call at once with SOURCE_ABORTED and closes the requests it alone was waiting for. */
  signal?: AbortSignal;
}

/** One chat turn on a model (ModelHandle.chat). */
export type ChatFunction = (messages: readonly ChatMessage[], opts?: ChatCallOptions) => GenerationRun;

export interface ModelHandle {
  readonly info: ModelInfo;
  stats(): Promise<ModelStats>;
  /** Load tensors (by name) or whole blocks (by index) ahead of use. An abort of `signal` stops the loads no one else waits for. */
  prefetch(what: Array<string | number>, opts?: CallOptions): Promise<void>;
  warmup(): Promise<WarmupResult>;
  /** A copy of one tensor's bytes (small tensors and debugging only). */
  readTensor(name: string, opts?: CallOptions): Promise<Uint8Array>;
  /** A paging dry run: acquires and releases every block in model order, `tokens` times (no arithmetic, no inference). */
  pagingDryRun(opts: PagingDryRunOptions & CallOptions, onSample?: (s: PagingDryRunSample) => void): Promise<ModelStats>;
  /** Generates from text or token ids: iterate the pieces as they stream, or await the result. */
  generate(prompt: string | readonly number[], opts?: GenerateCallOptions): GenerationRun;
  /**
   * One chat turn: the messages through the model's chat template, then generate; the cached prefix is reused.
   * `chat.completions.create(…)` is the OpenAI-style call (docs/openai.md).
   */
  chat: ChatFunction & { completions: ChatCompletions };
  /** OpenAI-style `completions.create(…)` (docs/openai.md). */
  completions: Completions;
  /** OpenAI-style `embeddings.create(…)` (docs/openai.md). */
  embeddings: Embeddings;
  /** Pooled (mean, cls, last; default the model's `<arch>.pooling_type`, else mean), L2-normalized embeddings of each input. */
  embed(inputs: Array<string | number[]>, opts?: { pooling?: 'mean' | 'cls' | 'last'; signal?: AbortSignal }): Promise<{ vectors: number[][]; tokens: number }>;
  tokenize(text: string, opts?: { addSpecial?: boolean; parseSpecial?: boolean }): Promise<number[]>;
  detokenize(ids: readonly number[], opts?: { renderSpecial?: boolean }): Promise<string>;
  applyChatTemplate(
    messages: readonly ChatMessage[],
    opts?: { addGenerationPrompt?: boolean; template?: string; templateVars?: Record<string, unknown> },
  ): Promise<string>;
  /** Drops the cached tokens (the KV pages return to the pool). */
  reset(): Promise<void>;
  dispose(): Promise<void>;
}
