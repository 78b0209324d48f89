/**
 * Templates without a system role (Gemma 1/2's raise "System role not supported"): as llama.cpp does
 * (common/chat.cpp, supports_system_role and system_message_not_supported), a template is probed once with a
 * system and a user message; when the system text does not come out, a leading system message is merged into
 * the next message (system + "\n" + its content), or dropped when it is alone. A template that folds the
 * system message itself (Gemma 3's, into the first user turn) passes the probe and renders as it is.
 */
import type { ChatMessage } from '../text/chat.ts';

const PROBE: readonly ChatMessage[] = [
  { role: 'system', content: 'System message' },
  { role: 'user', content: 'User message' },
];
const known = new Map<string, boolean>();

/** Whether `render` (a template applied to messages) shows a system message's text. */
export function supportsSystemRole(key: string, render: (messages: ChatMessage[]) => string): boolean {
  let v = known.get(key);
  if (v === undefined) {
    try {
      v = render(PROBE.map((m) => ({ ...m }))).includes('System message');
    } catch {
      v = false;
    }
    if (known.size >= 16) known.clear();
    known.set(key, v);
  }
  return v;
}

/** The messages with a leading system message merged into the next one (llama.cpp's workaround). */
export function mergeSystemMessage(messages: readonly ChatMessage[]): ChatMessage[] {
  if (messages.length === 0 || messages[0].role !== 'system') return [...messages];
  if (messages.length === 1) return [];
  const [sys, next, ...rest] = messages;
  return [{ ...next, content: `${sys.content}\n${next.content}` }, ...rest];
}
