/**
 * `chat.completions.create`: messages through the chat template, one
 * generation (constrained by response_format, `grammar` or a forced tool
 * call), the reply parsed for tool calls. With `stream: true` an async
 * iterable of chunks: the role first, content deltas of whole characters,
 * tool-call deltas, the finish reason, then usage when
 * `stream_options.include_usage` is set.
 */
import { GgufPagerError } from '../errors.ts';
import type { GenerateResult } from '../engine/generation.ts';
import type { ApiBackend } from './backend.ts';
import { renderChat } from './chat-prompt.ts';
import { generateOptions, invalidField, responseFormatGrammar } from './params.ts';
import { mayBeToolCall, parseToolCalls } from './tool-calls.ts';
import { planTools, type ToolPlan } from './tools.ts';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionParams,
  ChatCompletionParamsNonStreaming,
  ChatCompletionParamsStreaming,
  FinishReason,
  ToolCall,
  Usage,
} from './types.ts';

export interface ChatCompletions {
  create(params: ChatCompletionParamsStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
  create(params: ChatCompletionParamsNonStreaming): Promise<ChatCompletion>;
  create(params: ChatCompletionParams): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>>;
}

export const now = () => Math.floor(Date.now() / 1000);
export const responseId = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 2 ** 32).toString(36)}`;

export function usageOf(r: GenerateResult): Usage {
  return { prompt_tokens: r.promptTokens, completion_tokens: r.generatedTokens, total_tokens: r.promptTokens + r.generatedTokens };
}

/** The engine's stop reason as OpenAI's finish_reason; an aborted generation is an error. */
export function finishOf(r: GenerateResult): 'stop' | 'length' {
  if (r.stopReason === 'abort') throw new GgufPagerError('GENERATION_ABORTED', 'the request was aborted (signal)', {});
  return r.stopReason === 'maxTokens' || r.stopReason === 'contextFull' ? 'length' : 'stop';
}

export function chatCompletions(backend: ApiBackend): ChatCompletions {
  async function create(params: ChatCompletionParams): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    if (!params || typeof params !== 'object') throw invalidField('params', 'must be an object');
    const plan = planTools(params);
    const rf = responseFormatGrammar(params.response_format);
    if (rf !== undefined && plan.grammar !== undefined) throw invalidField('response_format', 'cannot be combined with a forced tool call');
    const opts = generateOptions(params, plan.grammar ?? rf);
    const { prompt, addSpecial } = renderChat(params.messages, plan.tools, await backend.templateOptions());
    const run = backend.generate(prompt, { ...opts, parseSpecial: true, addSpecial });
    const id = responseId('chatcmpl');
    const model = backend.modelName;
    const names = plan.parse ? plan.tools.map((t) => t.function.name) : [];
    if (params.stream) return streamChunks(run, { id, model, created: now(), names, plan, includeUsage: params.stream_options?.include_usage === true });
    const r = await run.result;
    const finish = finishOf(r);
    const parsed = parseToolCalls(r.text, names);
    const calls = parsed.toolCalls;
    return {
      id,
      object: 'chat.completion',
      created: now(),
      model,
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: calls.length ? 'tool_calls' : finish,
          message: { role: 'assistant', content: parsed.content, refusal: null, ...(calls.length ? { tool_calls: calls } : {}) },
        },
      ],
      usage: usageOf(r),
    };
  }
  return { create } as ChatCompletions;
}

interface StreamInfo {
  id: string;
  model: string;
  created: number;
  names: string[];
  plan: ToolPlan;
  includeUsage: boolean;
}

const MARKERS = ['<tool_call>', '[TOOL_CALLS]', '<|python_tag|>'];

/** How much of `text` may be shown as content now: all of it, unless a tool call may be starting (or only whitespace follows). */
function safeLength(text: string): number {
  let cut = text.length;
  for (const m of MARKERS) {
    const at = text.indexOf(m);
    if (at >= 0) cut = Math.min(cut, at);
    for (let k = Math.min(m.length - 1, text.length); k > 0; k--) {
      if (text.endsWith(m.slice(0, k))) {
        cut = Math.min(cut, text.length - k);
        break;
      }
    }
  }
  // whitespace before a call is not content (parseToolCalls trims it): hold it until text follows
  while (cut > 0 && /\s/.test(text[cut - 1])) cut--;
  return cut;
}

async function* streamChunks(run: ReturnType<ApiBackend['generate']>, s: StreamInfo): AsyncIterable<ChatCompletionChunk> {
  const chunk = (delta: ChatCompletionChunk['choices'][0]['delta'], finish: FinishReason | null = null): ChatCompletionChunk => ({
    id: s.id,
    object: 'chat.completion.chunk',
    created: s.created,
    model: s.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...(s.includeUsage ? { usage: null } : {}),
  });
  yield chunk({ role: 'assistant', content: '' });
  const tools = s.names.length > 0;
  let text = '';
  let shown = 0;
  let holding = tools;
  for await (const p of run) {
    if (!p.text) continue;
    text += p.text;
    if (!tools) {
      yield chunk({ content: p.text });
      continue;
    }
    if (holding && !mayBeToolCall(text)) holding = false;
    if (holding) continue;
    const safe = safeLength(text);
    if (safe > shown) {
      yield chunk({ content: text.slice(shown, safe) });
      shown = safe;
    }
  }
  const r = await run.result;
  const finish = finishOf(r);
  let calls: ToolCall[] = [];
  if (tools) {
    const parsed = parseToolCalls(text, s.names);
    calls = parsed.toolCalls;
    const content = calls.length ? (parsed.content ?? '') : text;
    if (content.length > shown && content.startsWith(text.slice(0, shown))) yield chunk({ content: content.slice(shown) });
    for (let i = 0; i < calls.length; i++) {
      const c = calls[i];
      yield chunk({ tool_calls: [{ index: i, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] });
      yield chunk({ tool_calls: [{ index: i, function: { arguments: c.function.arguments } }] });
    }
  }
  yield chunk({}, calls.length ? 'tool_calls' : finish);
  if (s.includeUsage) yield { id: s.id, object: 'chat.completion.chunk', created: s.created, model: s.model, choices: [], usage: usageOf(r) };
}
