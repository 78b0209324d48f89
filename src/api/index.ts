/**
 * The OpenAI-style API over a loaded model: `chat.completions.create`,
 * `completions.create`, `embeddings.create`. Same requests and responses as
 * OpenAI's, so an app written for an OpenAI-compatible server or WebLLM
 * only changes how it gets its client.
 */
import type { ApiBackend } from './backend.ts';
import { chatCompletions, type ChatCompletions } from './chat-completions.ts';
import { completions, type Completions } from './completions.ts';
import { embeddings, type Embeddings } from './embeddings.ts';

export interface OpenAiApi {
  chat: { completions: ChatCompletions };
  completions: Completions;
  embeddings: Embeddings;
}

export function createOpenAiApi(backend: ApiBackend): OpenAiApi {
  return { chat: { completions: chatCompletions(backend) }, completions: completions(backend), embeddings: embeddings(backend) };
}

export type { ApiBackend, EmbedResult, Pooling } from './backend.ts';
export type { ChatCompletions } from './chat-completions.ts';
export type { Completions } from './completions.ts';
export type { Embeddings } from './embeddings.ts';
export { parseToolCalls } from './tool-calls.ts';
export * from './types.ts';
