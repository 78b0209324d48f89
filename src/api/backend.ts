/**
 * What the OpenAI-style API needs of a loaded model, so that the same code
 * serves the page (a ModelHandle, through the worker) and Node (a ModelEngine
 * in the calling thread).
 */
import type { GenerateOptions } from '../engine/generation.ts';
import type { GenerationRun } from '../runtime/generation-run.ts';
import type { ChatTemplateOptions } from '../text/chat.ts';

export type Pooling = 'mean' | 'cls' | 'last';

export interface EmbedResult {
  /** One L2-normalized vector per input. */
  vectors: number[][];
  /** Tokens read over all inputs. */
  tokens: number;
}

export interface ApiBackend {
  /** The name responses carry in `model`. */
  readonly modelName: string;
  /** The chat template and BOS/EOS texts, as the model's metadata gives them. */
  templateOptions(): Promise<ChatTemplateOptions>;
  /** One generation: its pieces stream through the iterator; `result` ends it. */
  generate(prompt: string | number[], opts: GenerateOptions): GenerationRun;
  /** Pooled embeddings of each input (text or token ids); absent when the model cannot embed. */
  embed?(inputs: Array<string | number[]>, opts: { pooling?: Pooling; signal?: AbortSignal }): Promise<EmbedResult>;
}
