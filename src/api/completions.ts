/**
 * `completions.create`: a raw prompt (text or token ids) continued, as
 * OpenAI's legacy completions endpoint; streaming yields `text_completion`
 * objects with the new text.
 */
import type { ApiBackend } from './backend.ts';
import { finishOf, now, responseId, usageOf } from './chat-completions.ts';
import { generateOptions, invalidField, responseFormatGrammar } from './params.ts';
import type { Completion, CompletionChunk, CompletionParams, CompletionParamsNonStreaming, CompletionParamsStreaming } from './types.ts';

export interface Completions {
  create(params: CompletionParamsStreaming): Promise<AsyncIterable<CompletionChunk>>;
  create(params: CompletionParamsNonStreaming): Promise<Completion>;
  create(params: CompletionParams): Promise<Completion | AsyncIterable<CompletionChunk>>;
}

function promptOf(p: CompletionParams['prompt']): string | number[] {
  if (typeof p === 'string') return p;
  if (Array.isArray(p)) {
    if (p.length > 0 && p.every((x) => typeof x === 'number')) return [...(p as number[])];
    if (p.length === 1 && (typeof p[0] === 'string' || Array.isArray(p[0]))) return promptOf(p[0] as string | number[]);
    if (p.length > 1) throw invalidField('prompt', 'one prompt per request is supported, got an array of several');
  }
  throw invalidField('prompt', 'must be a string or an array of token ids');
}

export function completions(backend: ApiBackend): Completions {
  async function create(params: CompletionParams): Promise<Completion | AsyncIterable<CompletionChunk>> {
    if (!params || typeof params !== 'object') throw invalidField('params', 'must be an object');
    const prompt = promptOf(params.prompt);
    if (params.echo) throw invalidField('echo', 'is not supported');
    if (params.suffix !== undefined && params.suffix !== null && params.suffix !== '') throw invalidField('suffix', 'is not supported');
    if (params.best_of !== undefined && params.best_of !== null && params.best_of !== 1)
      throw invalidField('best_of', `only best_of = 1 is supported, got ${String(params.best_of)}`);
    const opts = generateOptions(params, responseFormatGrammar(params.response_format));
    const run = backend.generate(prompt, opts);
    const base = { id: responseId('cmpl'), object: 'text_completion' as const, created: now(), model: backend.modelName };
    if (params.stream) {
      const includeUsage = params.stream_options?.include_usage === true;
      return (async function* (): AsyncIterable<CompletionChunk> {
        for await (const p of run) if (p.text) yield { ...base, choices: [{ index: 0, text: p.text, finish_reason: null, logprobs: null }] };
        const r = await run.result;
        yield { ...base, choices: [{ index: 0, text: '', finish_reason: finishOf(r), logprobs: null }], ...(includeUsage ? { usage: usageOf(r) } : {}) };
      })();
    }
    const r = await run.result;
    return { ...base, choices: [{ index: 0, text: r.text, finish_reason: finishOf(r), logprobs: null }], usage: usageOf(r) };
  }
  return { create } as Completions;
}
