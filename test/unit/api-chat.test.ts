/** The OpenAI-style API on stories260K in Node: shapes, usage, finish reasons, JSON output, streaming, errors. */
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineBackend } from '../../src/api/engine-backend.ts';
import { createOpenAiApi, type ChatCompletionChunk, type OpenAiApi } from '../../src/api/index.ts';
import { isGgufPagerError } from '../../src/errors.ts';
import type { Standalone } from '../../src/engine/standalone.ts';
import { openReference, reference, STORIES } from '../cases/gen-models.ts';

let s: Standalone;
let api: OpenAiApi;
beforeAll(async () => {
  s = await openReference(reference(STORIES));
  api = createOpenAiApi(engineBackend(s.engine));
});
afterAll(async () => {
  await s?.dispose();
});

const messages = [
  { role: 'system' as const, content: 'You tell stories.' },
  { role: 'user' as const, content: 'Once upon a time' },
];

async function rejects(p: Promise<unknown>, field: string): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(isGgufPagerError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
  expect((err as { details: { field?: string } }).details.field).toBe(field);
  expect((err as Error).message).toContain(field);
}

describe('chat.completions.create', () => {
  it("answers in OpenAI's shape with usage that counts the tokens", async () => {
    const request = { messages, max_tokens: 12, temperature: 0.7, seed: 1, some_unknown_field: { ignored: true }, user: 'u1' };
    const r = await api.chat.completions.create(request);
    expect(r).toMatchObject({
      object: 'chat.completion',
      model: expect.any(String),
      choices: [{ index: 0, logprobs: null, finish_reason: 'length', message: { role: 'assistant', refusal: null } }],
    });
    expect(r.id).toMatch(/^chatcmpl-/);
    expect(typeof r.choices[0].message.content).toBe('string');
    const prompt = s.engine.applyChatTemplate(messages);
    const promptTokens = s.engine.tokenize(prompt, { parseSpecial: true }).length;
    expect(r.usage).toEqual({ prompt_tokens: promptTokens, completion_tokens: 12, total_tokens: promptTokens + 12 });
  });

  it('is reproducible with a seed, and stops with finish_reason stop at a stop string', async () => {
    const a = await api.chat.completions.create({ messages, max_tokens: 20, seed: 7 });
    const b = await api.chat.completions.create({ messages, max_tokens: 20, seed: 7 });
    expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
    const text = a.choices[0].message.content!;
    const word = text.trim().split(' ')[1];
    if (word) {
      const c = await api.chat.completions.create({ messages, max_tokens: 20, seed: 7, stop: [word] });
      expect(c.choices[0].finish_reason).toBe('stop');
      expect(c.choices[0].message.content).not.toContain(word);
    }
  });

  it('writes JSON valid for a json_schema response_format, over seeds', async () => {
    const schema = {
      type: 'object',
      properties: { hero: { type: 'string', maxLength: 10 }, age: { type: 'integer', minimum: 1, maximum: 99 } },
      required: ['hero', 'age'],
      additionalProperties: false,
    };
    const validate = new Ajv().compile(schema);
    for (let seed = 1; seed <= 5; seed++) {
      const r = await api.chat.completions.create({
        messages,
        seed,
        max_tokens: 60,
        response_format: { type: 'json_schema', json_schema: { name: 'hero', schema, strict: true } },
      });
      if (r.choices[0].finish_reason !== 'stop') continue;
      expect(validate(JSON.parse(r.choices[0].message.content!))).toBe(true);
    }
  });

  it('takes a GBNF grammar as an extension and ends with stop when the grammar is complete', async () => {
    const r = await api.chat.completions.create({ messages, grammar: 'root ::= ("yes" | "no") "."', top_k: 5, min_p: 0.01, repeat_penalty: 1.1, seed: 3 });
    expect(['yes.', 'no.']).toContain(r.choices[0].message.content);
    expect(r.choices[0].finish_reason).toBe('stop');
  });

  it('streams a role chunk, content deltas that add up to the reply, the finish chunk, then usage', async () => {
    const whole = await api.chat.completions.create({ messages, max_tokens: 16, seed: 5 });
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of await api.chat.completions.create({ messages, max_tokens: 16, seed: 5, stream: true, stream_options: { include_usage: true } }))
      chunks.push(c);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(whole.usage);
    const finish = chunks.at(-2)!;
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'length' });
    const deltas = chunks.slice(1, -2).map((c) => c.choices[0].delta.content!);
    expect(
      deltas.every(
        (d) => typeof d === 'string' && d.length > 0 && d === d.normalize('NFC') && !/[\uD800-\uDFFF]/.test(d.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')),
      ),
    ).toBe(true);
    expect(deltas.join('')).toBe(whole.choices[0].message.content);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('refuses what it does not implement, naming the field', async () => {
    await rejects(api.chat.completions.create({ messages, n: 2 }), 'n');
    await rejects(api.chat.completions.create({ messages, logprobs: true }), 'logprobs');
    await rejects(api.chat.completions.create({ messages, temperature: 3 }), 'temperature');
    await rejects(api.chat.completions.create({ messages, response_format: { type: 'xml' } }), 'response_format.type');
    await rejects(api.chat.completions.create({ messages: [] }), 'messages');
    await rejects(api.chat.completions.create({ messages: [{ role: 'user', content: [{ type: 'image_url' }] }] }), 'messages[0].content[0].type');
    await rejects(api.chat.completions.create({ messages, grammar: 'root ::= "a"', response_format: { type: 'json_object' } }), 'grammar');
    await rejects(api.chat.completions.create({ messages, tool_choice: 'required' }), 'tool_choice');
  });

  it('reports a GBNF syntax error as INVALID_ARGUMENT naming the place', async () => {
    let err: unknown;
    try {
      await api.chat.completions.create({ messages, grammar: 'root ::= "a' });
    } catch (e) {
      err = e;
    }
    expect(isGgufPagerError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/grammar: unexpected end of input/);
  });
});

describe('completions.create', () => {
  it('continues a text prompt or token ids, with usage', async () => {
    const r = await api.completions.create({ prompt: 'Once upon a time', max_tokens: 8, temperature: 0 });
    const g = await s.engine.generate('Once upon a time', { maxTokens: 8, temperature: 0 });
    expect(r).toMatchObject({ object: 'text_completion', choices: [{ index: 0, text: g.text, finish_reason: 'length', logprobs: null }] });
    expect(r.usage).toEqual({ prompt_tokens: g.promptTokens, completion_tokens: 8, total_tokens: g.promptTokens + 8 });
    const ids = s.engine.tokenize('Once upon a time');
    const t = await api.completions.create({ prompt: ids, max_tokens: 8, temperature: 0 });
    expect(t.choices[0].text).toBe(g.text);
    let streamed = '';
    for await (const c of await api.completions.create({ prompt: 'Once upon a time', max_tokens: 8, temperature: 0, stream: true }))
      streamed += c.choices[0].text;
    expect(streamed).toBe(g.text);
  });

  it('refuses several prompts, echo and best_of', async () => {
    await rejects(api.completions.create({ prompt: ['a', 'b'] }), 'prompt');
    await rejects(api.completions.create({ prompt: 'a', echo: true }), 'echo');
    await rejects(api.completions.create({ prompt: 'a', best_of: 3 }), 'best_of');
  });
});
