/**
 * A model's reply → OpenAI `tool_calls`, for the formats models are trained on:
 *
 *   Hermes / Qwen   <tool_call>{"name": …, "arguments": {…}}</tool_call> (one or more)
 *   Llama 3.x       {"name": …, "parameters": {…}} (optionally after <|python_tag|>, several joined by ';')
 *   Mistral         [TOOL_CALLS][{"name": …, "arguments": {…}}, …]
 *   generic JSON    {"name": …, "arguments": …}, [{…}, …] or {"tool_calls": [{…}]}
 *
 * A call must name one of the tools offered. Anything that does not parse
 * that way, malformed JSON included, stays content: no error, no crash.
 */
import type { ToolCall } from './types.ts';

export interface ParsedReply {
  content: string | null;
  toolCalls: ToolCall[];
}

interface RawCall {
  name: unknown;
  arguments?: unknown;
  parameters?: unknown;
  id?: unknown;
}

let counter = 0;
/** An id in OpenAI's style (`call_…`), unique in this page. */
export function toolCallId(): string {
  counter = (counter + 1) % 1e9;
  return `call_${Date.now().toString(36)}${counter.toString(36)}${Math.floor(Math.random() * 1e8).toString(36)}`;
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** A raw object as a call to a known tool, or null. */
function toCall(raw: unknown, names: ReadonlySet<string>): ToolCall | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const r = raw as RawCall & { function?: RawCall };
  const f = typeof r.function === 'object' && r.function !== null ? r.function : r;
  if (typeof f.name !== 'string' || !names.has(f.name)) return null;
  const args = f.arguments ?? f.parameters ?? {};
  const text = typeof args === 'string' ? args : JSON.stringify(args);
  if (typeof args === 'string' && tryJson(args) === undefined) return null;
  return { id: typeof r.id === 'string' && r.id ? r.id : toolCallId(), type: 'function', function: { name: f.name, arguments: text } };
}

function toCalls(raws: unknown[], names: ReadonlySet<string>): ToolCall[] | null {
  const calls = raws.map((r) => toCall(r, names));
  return calls.length > 0 && calls.every((c) => c !== null) ? (calls as ToolCall[]) : null;
}

function hermes(text: string, names: ReadonlySet<string>): ParsedReply | null {
  const re = /<tool_call>\s*([\s\S]*?)\s*(?:<\/tool_call>|$)/g;
  const first = text.indexOf('<tool_call>');
  if (first < 0) return null;
  const calls: ToolCall[] = [];
  for (const m of text.slice(first).matchAll(re)) {
    const c = toCall(tryJson(m[1]), names);
    if (!c) return null;
    calls.push(c);
  }
  const before = text.slice(0, first).trim();
  return calls.length ? { content: before || null, toolCalls: calls } : null;
}

function mistral(text: string, names: ReadonlySet<string>): ParsedReply | null {
  const at = text.indexOf('[TOOL_CALLS]');
  if (at < 0) return null;
  let body = text.slice(at + '[TOOL_CALLS]'.length).trim();
  // newer Mistral templates: [TOOL_CALLS]name[ARGS]{…}
  const args = /^([A-Za-z0-9_.-]+)\[ARGS\]([\s\S]*)$/.exec(body);
  if (args) body = JSON.stringify([{ name: args[1], arguments: tryJson(args[2].trim()) ?? args[2] }]);
  const v = tryJson(body);
  const calls = toCalls(Array.isArray(v) ? v : [v], names);
  const before = text.slice(0, at).trim();
  return calls ? { content: before || null, toolCalls: calls } : null;
}

function llama3(text: string, names: ReadonlySet<string>): ParsedReply | null {
  let body = text.trim();
  if (body.startsWith('<|python_tag|>')) body = body.slice('<|python_tag|>'.length).trim();
  if (!body.startsWith('{')) return null;
  const parts = body.split(/\s*;\s*(?=\{)/);
  const raws = parts.map(tryJson);
  if (raws.some((r) => typeof r !== 'object' || r === null || !('parameters' in r))) return null;
  const calls = toCalls(raws, names);
  return calls ? { content: null, toolCalls: calls } : null;
}

function generic(text: string, names: ReadonlySet<string>): ParsedReply | null {
  let body = text.trim();
  const fence = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(body);
  if (fence) body = fence[1];
  if (!body.startsWith('{') && !body.startsWith('[')) return null;
  const v = tryJson(body);
  if (v === undefined) return null;
  const list = Array.isArray(v)
    ? v
    : typeof v === 'object' && v !== null && Array.isArray((v as { tool_calls?: unknown }).tool_calls)
      ? (v as { tool_calls: unknown[] }).tool_calls
      : [v];
  const calls = toCalls(list, names);
  return calls ? { content: null, toolCalls: calls } : null;
}

/** The tool calls in a reply, or the reply as content when there are none. */
export function parseToolCalls(text: string, toolNames: Iterable<string>): ParsedReply {
  const names = new Set(toolNames);
  if (names.size > 0) {
    for (const f of [hermes, mistral, llama3, generic]) {
      const r = f(text, names);
      if (r) return r;
    }
  }
  return { content: text, toolCalls: [] };
}

/** Whether a reply that begins like `text` may still turn into a tool call (streaming holds such text back). */
export function mayBeToolCall(text: string): boolean {
  const t = text.trimStart();
  if (t === '') return true;
  for (const p of ['<tool_call>', '[TOOL_CALLS]', '<|python_tag|>', '```']) if (t.startsWith(p) || p.startsWith(t)) return true;
  return t.startsWith('{') || t.startsWith('[');
}
