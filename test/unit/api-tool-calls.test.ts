/**
 * Tool calls: replies in each model family's format (Hermes/Qwen, Llama 3.x,
 * Mistral, plain JSON), written here as the models write them, become
 * OpenAI tool_calls; malformed ones come back as content. Tools, calls and
 * tool results render through real tool-calling chat templates (recorded by
 * scripts/make-tool-template-vectors.mjs), and a forced call on stories260K
 * (a model that knows nothing of tools) gives valid arguments every time.
 */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChat } from '../../src/api/chat-prompt.ts';
import { engineBackend } from '../../src/api/engine-backend.ts';
import { createOpenAiApi, parseToolCalls, type ChatCompletionChunk, type OpenAiApi } from '../../src/api/index.ts';
import type { ChatMessageParam, FunctionTool } from '../../src/api/types.ts';
import { callGrammar } from '../../src/api/tools.ts';
import type { Standalone } from '../../src/engine/standalone.ts';
import { openReference, reference, STORIES } from '../cases/gen-models.ts';
import { REPO_ROOT } from '../cases/fixtures-dir.ts';

const NAMES = ['get_weather', 'search'];
const calls = (text: string) => parseToolCalls(text, NAMES);

describe('parsing replies into tool_calls', () => {
  it('Hermes / Qwen: one or more <tool_call> blocks, text before them kept as content', () => {
    const r = calls('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}\n</tool_call>');
    expect(r.content).toBeNull();
    expect(r.toolCalls).toHaveLength(1);
    expect(r.toolCalls[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(r.toolCalls[0].function.arguments)).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(r.toolCalls[0].id).toMatch(/^call_/);
    const two = calls(
      'Let me check both.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>\n<tool_call>\n{"name": "search", "arguments": {"q": "Oslo news"}}\n</tool_call>',
    );
    expect(two.content).toBe('Let me check both.');
    expect(two.toolCalls.map((c) => c.function.name)).toEqual(['get_weather', 'search']);
    expect(new Set(two.toolCalls.map((c) => c.id)).size).toBe(2);
  });

  it('Llama 3.x: a JSON object with parameters, with or without <|python_tag|>, several joined by ;', () => {
    const r = calls('{"name": "get_weather", "parameters": {"city": "San Francisco"}}');
    expect(r.toolCalls[0].function).toEqual({ name: 'get_weather', arguments: '{"city":"San Francisco"}' });
    const tagged = calls('<|python_tag|>{"name": "search", "parameters": {"q": "llama"}}; {"name": "get_weather", "parameters": {"city": "Rome"}}');
    expect(tagged.toolCalls.map((c) => c.function.name)).toEqual(['search', 'get_weather']);
  });

  it('Mistral: [TOOL_CALLS] followed by a JSON array, or by name[ARGS]{…}', () => {
    const r = calls('[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Lyon"}, "id": "a1b2c3d4e"}]');
    expect(r.toolCalls[0]).toMatchObject({ id: 'a1b2c3d4e', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } });
    const v11 = calls('[TOOL_CALLS]search[ARGS]{"q": "weather"}');
    expect(v11.toolCalls[0].function).toEqual({ name: 'search', arguments: '{"q":"weather"}' });
  });

  it('generic JSON: an object, an array, {"tool_calls": […]} or a fenced block', () => {
    expect(calls('{"name": "search", "arguments": {"q": "x"}}').toolCalls).toHaveLength(1);
    expect(calls('[{"name": "search", "arguments": {}}, {"name": "get_weather", "arguments": {"city": "Bern"}}]').toolCalls).toHaveLength(2);
    expect(calls('{"tool_calls": [{"function": {"name": "search", "arguments": "{\\"q\\": \\"y\\"}"}}]}').toolCalls[0].function.arguments).toBe('{"q": "y"}');
    expect(calls('```json\n{"name": "search", "arguments": {"q": "z"}}\n```').toolCalls).toHaveLength(1);
  });

  it('malformed or unknown calls come back as content, without throwing', () => {
    const bad = [
      '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Par\n</tool_call>',
      '<tool_call>{"name": "launch_missiles", "arguments": {}}</tool_call>',
      '[TOOL_CALLS] [{"name": "get_weather", "arguments": ',
      '{"name": "get_weather", "parameters": {"city": }',
      '{"answer": 42}',
      '{"name": "search", "arguments": "not json"}',
      'The weather in Paris is sunny.',
      '',
      '<tool_call>',
    ];
    for (const text of bad) expect(calls(text), text).toEqual({ content: text, toolCalls: [] });
    expect(parseToolCalls('{"name": "search", "arguments": {}}', [])).toEqual({ content: '{"name": "search", "arguments": {}}', toolCalls: [] });
  });
});

interface StoredTemplate {
  name: string;
  template: string;
  bos: string;
  eos: string;
}
const { templates } = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/text/tool-templates.json`, 'utf8')) as { templates: StoredTemplate[] };

const TOOLS: FunctionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] },
    },
  },
];
const TURN: ChatMessageParam[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Weather in Paris?' },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_0001', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] },
  { role: 'tool', tool_call_id: 'call_0001', content: '{"temperature": 21}' },
];

describe('tools through real chat templates', () => {
  for (const t of templates) {
    it(`${t.name}: renders the tools, the assistant's call and the tool's result`, () => {
      const { prompt } = renderChat(TURN, TOOLS, { template: t.template, bosToken: t.bos, eosToken: t.eos, modelName: t.name });
      expect(prompt).toContain('get_weather');
      expect(prompt).toContain('Current weather in a city');
      expect(prompt).toContain('Paris');
      expect(prompt).toContain('21');
    });
  }

  it('a template that ignores tools gets them as a system note, and past calls as JSON', () => {
    const { prompt } = renderChat(TURN, TOOLS, {});
    expect(prompt).toContain('<|im_start|>system\nYou are a helpful assistant.\n\nYou can call these tools:');
    expect(prompt).toContain('{"name":"get_weather","arguments":{"city":"Paris"}}');
    expect(prompt).toContain('<|im_start|>tool\n{"temperature": 21}<|im_end|>');
  });
});

describe('tool_choice on stories260K', () => {
  let s: Standalone;
  let api: OpenAiApi;
  beforeAll(async () => {
    s = await openReference(reference(STORIES));
    api = createOpenAiApi(engineBackend(s.engine));
  });
  afterAll(async () => {
    await s?.dispose();
  });
  const tools: FunctionTool[] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string', maxLength: 12 }, days: { type: 'integer', minimum: 1, maximum: 7 } },
          required: ['city', 'days'],
          additionalProperties: false,
        },
      },
    },
    {
      type: 'function',
      function: {
        name: 'search',
        parameters: { type: 'object', properties: { q: { type: 'string', maxLength: 20 } }, required: ['q'], additionalProperties: false },
      },
    },
  ];
  const validators = new Map(tools.map((t) => [t.function.name, new Ajv().compile(t.function.parameters!)]));
  const messages: ChatMessageParam[] = [{ role: 'user', content: 'Once upon a time' }];

  it("'required' gives a valid call to one of the tools, over seeds and temperatures", async () => {
    for (let seed = 1; seed <= 6; seed++) {
      for (const temperature of [0.5, 1.5]) {
        const r = await api.chat.completions.create({ messages, tools, tool_choice: 'required', seed, temperature, max_tokens: 120 });
        expect(r.choices[0].finish_reason).toBe('tool_calls');
        const c = r.choices[0].message.tool_calls![0];
        expect(validators.get(c.function.name)!(JSON.parse(c.function.arguments))).toBe(true);
      }
    }
  });

  it('a named function gives a call to that function; auto on a model that writes prose gives content', async () => {
    const r = await api.chat.completions.create({ messages, tools, tool_choice: { type: 'function', function: { name: 'search' } }, seed: 3, max_tokens: 120 });
    expect(r.choices[0].message.tool_calls![0].function.name).toBe('search');
    const auto = await api.chat.completions.create({ messages, tools, seed: 3, max_tokens: 16 });
    expect(auto.choices[0].finish_reason).toBe('length');
    expect(typeof auto.choices[0].message.content).toBe('string');
  });

  it('auto, streamed: prose before a Hermes call streams as content, the call as tool-call deltas (the model made to write it by a grammar)', async () => {
    // the reply's shape forced with the grammar extension: "Let me check. <tool_call>{…}</tool_call>"
    const call = callGrammar([tools[1]]).replace(/^root ::=/m, 'call ::=');
    const grammar = `root ::= "Let me check. <tool_call>" call "</tool_call>"\n${call}`;
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of await api.chat.completions.create({ messages, tools, grammar, seed: 4, max_tokens: 150, stream: true })) chunks.push(c);
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('Let me check.');
    expect(content).not.toContain('<tool_call');
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'search', arguments: '' } });
    expect(
      validators.get('search')!(
        JSON.parse(
          calls
            .slice(1)
            .map((d) => d.function!.arguments)
            .join(''),
        ),
      ),
    ).toBe(true);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
    const whole = await api.chat.completions.create({ messages, tools, grammar, seed: 4, max_tokens: 150 });
    expect(whole.choices[0].message.content).toBe('Let me check.');
    expect(whole.choices[0].message.tool_calls![0].function.name).toBe('search');
  });

  it('streams a forced call as OpenAI does: id, type and name first, then the arguments, then finish tool_calls', async () => {
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of await api.chat.completions.create({ messages, tools, tool_choice: 'required', seed: 2, max_tokens: 120, stream: true }))
      chunks.push(c);
    const deltas = chunks.map((c) => c.choices[0]?.delta);
    const named = deltas.find((d) => d?.tool_calls?.[0].id)!;
    expect(named.tool_calls![0]).toMatchObject({ index: 0, type: 'function', function: { arguments: '' } });
    const args = deltas
      .filter((d) => d?.tool_calls && !d.tool_calls[0].id)
      .map((d) => d!.tool_calls![0].function!.arguments)
      .join('');
    expect(validators.get(named.tool_calls![0].function!.name!)!(JSON.parse(args))).toBe(true);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
    expect(deltas.some((d) => d?.content)).toBe(false);
  });
});
