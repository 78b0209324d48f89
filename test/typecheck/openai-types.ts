/**
 * Type-level check (run by `tsc --noEmit`, never executed): requests written
 * with the `openai` package's types go to this library's API unchanged, and
 * its responses are assignable to the `openai` types. No casts.
 */
import type OpenAI from 'openai';
import type { OpenAiApi } from '../../src/api/index.ts';

export async function requestsAndResponses(api: OpenAiApi, schema: Record<string, unknown>): Promise<void> {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are terse.' },
    { role: 'developer', content: [{ type: 'text', text: 'Answer in JSON.' }] },
    { role: 'user', content: 'Who is Ada?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"Ada"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'Ada Lovelace, 1815' },
  ];
  const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
    {
      type: 'function',
      function: { name: 'lookup', description: 'search', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
    },
  ];
  const params: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
    model: 'local',
    messages,
    tools,
    tool_choice: 'auto',
    max_tokens: 64,
    temperature: 0.7,
    top_p: 0.9,
    seed: 1,
    stop: ['\n\n'],
    response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
  };
  const r: OpenAI.Chat.Completions.ChatCompletion = await api.chat.completions.create(params);
  const calls: OpenAI.Chat.Completions.ChatCompletionMessageToolCall[] | undefined = r.choices[0].message.tool_calls;
  void calls;
  const usage: OpenAI.CompletionUsage | undefined = r.usage;
  void usage;

  const streaming: OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming = {
    model: 'local',
    messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  for await (const chunk of await api.chat.completions.create(streaming)) {
    const c: OpenAI.Chat.Completions.ChatCompletionChunk = chunk;
    void c;
  }
  // literal requests with the extensions
  const lit: OpenAI.Chat.Completions.ChatCompletion = await api.chat.completions.create({
    messages: [{ role: 'user', content: 'hi' }],
    grammar: 'root ::= "yes" | "no"',
    top_k: 20,
    min_p: 0.1,
    repeat_penalty: 1.1,
    signal: new AbortController().signal,
  });
  void lit;

  const cp: OpenAI.Completions.CompletionCreateParamsNonStreaming = { model: 'local', prompt: 'Once upon a time', max_tokens: 16 };
  const c: OpenAI.Completions.Completion = await api.completions.create(cp);
  void c;
  const cs: OpenAI.Completions.CompletionCreateParamsStreaming = { model: 'local', prompt: [1, 2, 3], stream: true };
  for await (const part of await api.completions.create(cs)) void part.choices[0].text;

  const ep: OpenAI.Embeddings.EmbeddingCreateParams = { model: 'local', input: ['a', 'b'] };
  const e: OpenAI.Embeddings.CreateEmbeddingResponse = await api.embeddings.create(ep);
  void e;
}
