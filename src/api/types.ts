/**
 * OpenAI-style request and response shapes (chat completions, completions,
 * embeddings), written to be interchangeable with the `openai` package's
 * types: its request objects are accepted as they are, and the responses
 * are assignable to its response types (checked by test/typecheck/openai-types.ts).
 * Types only. Fields this library does not read are ignored at run time;
 * its own extensions (grammar, top_k, min_p, repeat_penalty, signal) sit
 * beside OpenAI's fields.
 */

export type Role = 'developer' | 'system' | 'user' | 'assistant' | 'tool' | 'function';

/** A part of a message's content array; only text parts are read. */
export interface ContentPart {
  type: string;
  text?: string;
  refusal?: string;
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessageParam {
  role: Role;
  content?: string | ReadonlyArray<ContentPart> | null;
  name?: string;
  tool_calls?: ReadonlyArray<{ id: string; type: string; function?: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export interface FunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } } | { type: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } }
  | { type: string };

/** Sampling and control fields shared by chat completions and completions. */
export interface SamplingParams {
  model?: string;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  stop?: string | ReadonlyArray<string> | null;
  n?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  logprobs?: boolean | number | null;
  stream_options?: { include_usage?: boolean } | null;
  // extensions
  /** GBNF grammar (llama.cpp's syntax) the output must follow. */
  grammar?: string;
  top_k?: number;
  min_p?: number;
  repeat_penalty?: number;
  signal?: AbortSignal;
}

export interface ChatCompletionParams extends SamplingParams {
  messages: ReadonlyArray<ChatMessageParam>;
  stream?: boolean | null;
  tools?: ReadonlyArray<FunctionTool | { type: string }>;
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  top_logprobs?: number | null;
}
export interface ChatCompletionParamsStreaming extends ChatCompletionParams {
  stream: true;
}
export interface ChatCompletionParamsNonStreaming extends ChatCompletionParams {
  stream?: false | null;
}

export interface CompletionParams extends SamplingParams {
  prompt: string | ReadonlyArray<string> | ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>> | null;
  stream?: boolean | null;
  echo?: boolean | null;
  suffix?: string | null;
  best_of?: number | null;
  /** Extension (as llama.cpp's server): constrain the text to JSON or a JSON Schema. */
  response_format?: ResponseFormat;
}
export interface CompletionParamsStreaming extends CompletionParams {
  stream: true;
}
export interface CompletionParamsNonStreaming extends CompletionParams {
  stream?: false | null;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  refusal: null;
  tool_calls?: ToolCall[];
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: AssistantMessage; finish_reason: FinishReason; logprobs: null }>;
  usage: Usage;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string | null; tool_calls?: ToolCallDelta[] };
    finish_reason: FinishReason | null;
    logprobs?: null;
  }>;
  usage?: Usage | null;
}

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; finish_reason: 'stop' | 'length'; logprobs: null }>;
  usage?: Usage;
}

/** A streamed completion: as Completion, with finish_reason null until the last one (as OpenAI's server sends it). */
export interface CompletionChunk extends Omit<Completion, 'choices'> {
  choices: Array<{ index: number; text: string; finish_reason: 'stop' | 'length' | null; logprobs: null }>;
}

export interface EmbeddingParams {
  input: string | ReadonlyArray<string> | ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>>;
  model?: string;
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  /** Extension: how token vectors become one (default: the model's `<arch>.pooling_type`, else mean). */
  pooling?: 'mean' | 'cls' | 'last';
  signal?: AbortSignal;
}

export interface EmbeddingResponse {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
