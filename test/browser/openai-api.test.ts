/**
 * The OpenAI-style API on the page, through the worker, in real Chromium:
 * responses are typed with the `openai` package's types (no casts) and their
 * shapes checked at run time; JSON Schema output, streaming, tool calls,
 * errors and abort cross the worker boundary.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, type ModelHandle, type Runtime } from '../../src/index.ts';
import { unique } from '../servers/urls.ts';
import lastPooled from '../vectors/embeddings/stories260K-F32-last.json';

const MiB = 2 ** 20;
let rt: Runtime;
let model: ModelHandle;
beforeAll(async () => {
  rt = await createRuntime({ budget: 8 * MiB });
  model = await rt.load(`${inject('rangeBase')}/stories260K.gguf?t=${unique()}`, { cache: 'none' });
}, 60_000);
afterAll(async () => {
  await rt?.dispose();
});

const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You tell stories.' },
  { role: 'user', content: 'Once upon a time' },
];

it("chat.completions.create answers with OpenAI's shape and JSON valid for the schema", async () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 6 }, n: { type: 'integer', minimum: 0, maximum: 9 } },
    required: ['name', 'n'],
    additionalProperties: false,
  };
  const params: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
    model: 'stories',
    messages,
    max_tokens: 48,
    temperature: 0.7,
    top_p: 0.9,
    seed: 1,
    response_format: { type: 'json_schema', json_schema: { name: 'thing', schema, strict: true } },
  };
  const r: OpenAI.Chat.Completions.ChatCompletion = await model.chat.completions.create(params);
  expect(Object.keys(r).sort()).toEqual(['choices', 'created', 'id', 'model', 'object', 'usage']);
  expect(r.object).toBe('chat.completion');
  expect(r.choices).toHaveLength(1);
  expect(r.choices[0]).toMatchObject({ index: 0, logprobs: null, finish_reason: 'stop', message: { role: 'assistant', refusal: null } });
  const v = JSON.parse(r.choices[0].message.content!) as { name: string; n: number };
  expect(Object.keys(v)).toEqual(['name', 'n']);
  expect(v.name.length).toBeLessThanOrEqual(6);
  expect(Number.isInteger(v.n) && v.n >= 0 && v.n <= 9).toBe(true);
  expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
  expect(r.usage!.completion_tokens).toBeGreaterThan(0);
}, 60_000);

it('streams chunks from the worker: role, content deltas, finish, usage', async () => {
  const whole = await model.chat.completions.create({ messages, max_tokens: 12, seed: 4 });
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  const stream = await model.chat.completions.create({ messages, max_tokens: 12, seed: 4, stream: true, stream_options: { include_usage: true } });
  for await (const c of stream) chunks.push(c);
  expect(chunks[0].choices[0].delta.role).toBe('assistant');
  expect(
    chunks
      .slice(1, -2)
      .map((c) => c.choices[0].delta.content)
      .join(''),
  ).toBe(whole.choices[0].message.content);
  expect(chunks.at(-2)!.choices[0].finish_reason).toBe('length');
  expect(chunks.at(-1)!.choices).toEqual([]);
  expect(chunks.at(-1)!.usage).toEqual(whole.usage);
  expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
}, 60_000);

it('returns tool_calls when tool_choice requires one', async () => {
  const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 8 } }, required: ['city'], additionalProperties: false },
      },
    },
  ];
  const r: OpenAI.Chat.Completions.ChatCompletion = await model.chat.completions.create({ messages, tools, tool_choice: 'required', seed: 2, max_tokens: 60 });
  expect(r.choices[0].finish_reason).toBe('tool_calls');
  const call = r.choices[0].message.tool_calls![0];
  expect(call.type).toBe('function');
  if (call.type !== 'function') return;
  expect(call.id).toMatch(/^call_/);
  expect(call.function.name).toBe('get_weather');
  expect(typeof (JSON.parse(call.function.arguments) as { city: string }).city).toBe('string');
}, 60_000);

it('completions.create continues a prompt through the worker', async () => {
  const r: OpenAI.Completions.Completion = await model.completions.create({ model: 'stories', prompt: 'Once upon a time', max_tokens: 8, temperature: 0 });
  const direct = await model.generate('Once upon a time', { maxTokens: 8, temperature: 0 });
  expect(r.choices[0].text).toBe(direct.text);
  expect(r.object).toBe('text_completion');
}, 60_000);

it('names the field of an unsupported value, and aborts with the signal', async () => {
  await expect(model.chat.completions.create({ messages, n: 3 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'n' } });
  const ac = new AbortController();
  const stream = await model.chat.completions.create({ messages, max_tokens: 500, stream: true, signal: ac.signal });
  let n = 0;
  await expect(
    (async () => {
      for await (const c of stream) if (c.choices[0]?.delta.content && ++n === 2) ac.abort();
    })(),
  ).rejects.toMatchObject({ code: 'GENERATION_ABORTED' });
}, 60_000);

it("embeddings.create computes llama.cpp's vectors in the worker, in OpenAI's list shape", async () => {
  const params: OpenAI.Embeddings.EmbeddingCreateParams = { model: 'stories', input: lastPooled.inputs.map((i) => i.ids) };
  const r: OpenAI.Embeddings.CreateEmbeddingResponse = await model.embeddings.create({ ...params, pooling: 'last' });
  expect(r.object).toBe('list');
  expect(r.data).toHaveLength(lastPooled.inputs.length);
  for (let i = 0; i < r.data.length; i++) {
    const a = r.data[i].embedding;
    const b = lastPooled.inputs[i].embedding;
    let ab = 0,
      aa = 0,
      bb = 0;
    for (let j = 0; j < a.length; j++) {
      ab += a[j] * b[j];
      aa += a[j] * a[j];
      bb += b[j] * b[j];
    }
    expect(ab / Math.sqrt(aa * bb)).toBeGreaterThanOrEqual(0.9999);
    expect(r.data[i]).toMatchObject({ object: 'embedding', index: i });
  }
  const n = lastPooled.inputs.reduce((x, i) => x + i.ids.length, 0);
  expect(r.usage).toEqual({ prompt_tokens: n, total_tokens: n });
}, 60_000);
