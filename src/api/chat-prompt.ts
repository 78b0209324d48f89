/**
 * OpenAI chat messages → the prompt, through the model's own chat template
 * (src/text/chat.ts). Content parts are joined as text; `developer` is a
 * system message; an assistant's `tool_calls` reach the template with their
 * arguments as objects and tool results as `role: 'tool'` messages, as
 * transformers' and llama.cpp's chat templating pass them. Tools go to the
 * template's `tools` variable; a template that never mentions tools gets
 * them described in a system message instead.
 */
import { applyChatTemplate, type ChatTemplateOptions } from '../text/chat.ts';
import { invalidField } from './params.ts';
import { toolsNote } from './tools.ts';
import type { ChatMessageParam, FunctionTool } from './types.ts';

const ROLES = new Set(['developer', 'system', 'user', 'assistant', 'tool', 'function']);

function textOf(m: ChatMessageParam, i: number): string {
  const c = m.content;
  if (c === undefined || c === null) return '';
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) throw invalidField(`messages[${i}].content`, 'must be a string or an array of parts');
  return c
    .map((part, j) => {
      if (part?.type === 'text' && typeof part.text === 'string') return part.text;
      if (part?.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
      throw invalidField(`messages[${i}].content[${j}].type`, `content parts of type ${JSON.stringify(part?.type)} are not supported (text only)`);
    })
    .join('');
}

function parsedArgs(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** Messages as templates expect them (plain objects; content always a string). */
export function templateMessages(messages: ReadonlyArray<ChatMessageParam>): Array<Record<string, unknown> & { role: string; content: string }> {
  const list: unknown = messages;
  if (!Array.isArray(list) || list.length === 0) throw invalidField('messages', 'must be a non-empty array');
  return messages.map((m, i) => {
    if (!m || typeof m !== 'object' || !ROLES.has(m.role)) throw invalidField(`messages[${i}].role`, `must be one of ${[...ROLES].join(', ')}`);
    const role = m.role === 'developer' ? 'system' : m.role === 'function' ? 'tool' : m.role;
    const out: Record<string, unknown> & { role: string; content: string } = { role, content: textOf(m, i) };
    if (typeof m.name === 'string') out.name = m.name;
    if (role === 'tool' && typeof m.tool_call_id === 'string') out.tool_call_id = m.tool_call_id;
    const calls = m.tool_calls;
    if (role === 'assistant' && calls && calls.length > 0) {
      out.tool_calls = calls.map((c, j) => {
        if (!c?.function || typeof c.function.name !== 'string') throw invalidField(`messages[${i}].tool_calls[${j}].function`, 'needs a name and arguments');
        return { id: c.id, type: 'function', function: { name: c.function.name, arguments: parsedArgs(c.function.arguments) } };
      });
    }
    return out;
  });
}

export interface ChatPrompt {
  prompt: string;
  /** Add the BOS token when tokenizing (false when the template wrote it already). */
  addSpecial: boolean;
}

/** A 9-character alphanumeric id for an OpenAI call id (Mistral's templates refuse any other). */
export function mistralCallId(id: string): string {
  if (/^[a-zA-Z0-9]{9}$/.test(id)) return id;
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  let out = '';
  for (let i = 0; i < 9; i++) {
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    out += '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'[h % 62];
  }
  return out;
}

export function renderChat(messages: ReadonlyArray<ChatMessageParam>, tools: FunctionTool[], base: ChatTemplateOptions): ChatPrompt {
  let msgs = templateMessages(messages);
  if (base.template?.includes('alphanumeric strings with length 9')) {
    msgs = msgs.map((m) => ({
      ...m,
      ...(typeof m.tool_call_id === 'string' ? { tool_call_id: mistralCallId(m.tool_call_id) } : {}),
      ...(Array.isArray(m.tool_calls) ? { tool_calls: (m.tool_calls as Array<{ id: string }>).map((c) => ({ ...c, id: mistralCallId(String(c.id)) })) } : {}),
    }));
  }
  const extra: Record<string, unknown> = { ...base.extra };
  const rendersTools = base.template !== undefined && /\btool/.test(base.template);
  if (!rendersTools) {
    // the template ignores tool_calls: the calls are written as the JSON the note asks for
    msgs = msgs.map((m) =>
      Array.isArray(m.tool_calls)
        ? {
            ...m,
            content: [
              m.content,
              ...(m.tool_calls as Array<{ function: { name: string; arguments: unknown } }>).map((c) =>
                JSON.stringify({ name: c.function.name, arguments: c.function.arguments }),
              ),
            ]
              .filter(Boolean)
              .join('\n'),
          }
        : m,
    );
  }
  if (tools.length > 0) {
    if (rendersTools) extra.tools = tools;
    else {
      const note = toolsNote(tools);
      msgs =
        msgs[0].role === 'system' ? [{ ...msgs[0], content: `${msgs[0].content}\n\n${note}` }, ...msgs.slice(1)] : [{ role: 'system', content: note }, ...msgs];
    }
  }
  const { prompt } = applyChatTemplate(msgs, { ...base, addGenerationPrompt: true, extra });
  const bos = base.bosToken;
  return { prompt, addSpecial: !(bos && prompt.startsWith(bos)) };
}
