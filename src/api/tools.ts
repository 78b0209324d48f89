/**
 * `tools` and `tool_choice` of a chat request: the tool list the chat template
 * gets (as llama.cpp and transformers pass it), a system note for templates
 * that do not render tools, and for `tool_choice: 'required'` or a named
 * function the grammar that forces a call: a JSON object
 * `{"name": <tool>, "arguments": <its parameters schema>}`.
 */
import { jsonSchemaToGrammar } from '../text/grammar/json-schema.ts';
import { invalidField } from './params.ts';
import type { ChatCompletionParams, FunctionTool } from './types.ts';

export interface ToolPlan {
  /** Tools for the template's `tools` variable (empty: none). */
  tools: FunctionTool[];
  /** Parse the reply for calls. */
  parse: boolean;
  /** The grammar forcing a call, when the request demands one. */
  grammar?: string;
}

export function planTools(p: ChatCompletionParams): ToolPlan {
  const raw = p.tools ?? [];
  if (!Array.isArray(raw)) throw invalidField('tools', 'must be an array');
  const tools: FunctionTool[] = raw.map((t, i) => {
    if (t?.type !== 'function') throw invalidField(`tools[${i}].type`, `only function tools are supported, got ${JSON.stringify(t?.type)}`);
    const f = (t as FunctionTool).function;
    if (!f || typeof f.name !== 'string' || !f.name) throw invalidField(`tools[${i}].function.name`, 'is required');
    return t as FunctionTool;
  });
  const choice = p.tool_choice ?? (tools.length ? 'auto' : 'none');
  if (choice === 'none') return { tools, parse: false };
  if (tools.length === 0) throw invalidField('tool_choice', 'needs tools');
  if (choice === 'auto') return { tools, parse: true };
  let forced: FunctionTool[];
  if (choice === 'required') forced = tools;
  else if (typeof choice === 'object' && choice.type === 'function') {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    forced = tools.filter((t) => t.function.name === name);
    if (forced.length === 0) throw invalidField('tool_choice.function.name', `no tool is named ${JSON.stringify(name)}`);
  } else throw invalidField('tool_choice', `${JSON.stringify(choice)} is not supported (none, auto, required, or a function)`);
  return { tools, parse: true, grammar: callGrammar(forced) };
}

/** A grammar for one call to one of `tools`, arguments following each tool's parameters schema. */
export function callGrammar(tools: FunctionTool[]): string {
  const alts = tools.map((t) => ({
    type: 'object',
    properties: { name: { const: t.function.name }, arguments: t.function.parameters ?? { type: 'object' } },
    required: ['name', 'arguments'],
    additionalProperties: false,
  }));
  return jsonSchemaToGrammar(alts.length === 1 ? alts[0] : { anyOf: alts }).grammar;
}

/** A system note describing the tools, for chat templates that ignore `tools`. */
export function toolsNote(tools: FunctionTool[]): string {
  const list = tools
    .map((t) => JSON.stringify({ name: t.function.name, description: t.function.description ?? '', parameters: t.function.parameters ?? {} }))
    .join('\n');
  return 'You can call these tools:\n' + list + '\nTo call one, reply with only a JSON object: {"name": "<tool name>", "arguments": {<arguments>}}.';
}
