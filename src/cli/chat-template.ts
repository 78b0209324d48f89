/**
 * gguf-pager chat-template <file|url> <messages.json> [--no-generation-prompt]
 *
 * Renders the model's `tokenizer.chat_template` (ChatML, with a note on stderr,
 * when it has none) for the messages in the JSON file (`[{ "role", "content" }]`)
 * and prints the prompt exactly as rendered.
 */
import { readFile } from 'node:fs/promises';
import { GgufPagerError } from '../errors.ts';
import { applyChatTemplate, chatTemplateOptions, type ChatMessage } from '../text/chat.ts';
import { createTokenizer } from '../text/tokenizer.ts';
import { parseArgv } from './args.ts';
import { readModelHeader } from './model-header.ts';

const USAGE = 'usage: gguf-pager chat-template <file|url> <messages.json> [--no-generation-prompt]';

async function readMessages(path: string): Promise<ChatMessage[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new GgufPagerError('INVALID_ARGUMENT', `cannot read messages file ${path}: ${(e as Error).message}`, { path });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GgufPagerError('INVALID_ARGUMENT', `messages file ${path} is not JSON: ${(e as Error).message}`, { path });
  }
  if (!Array.isArray(value) || value.some((m) => typeof m?.role !== 'string' || typeof m?.content !== 'string')) {
    throw new GgufPagerError('INVALID_ARGUMENT', `messages file ${path} must hold an array of { "role": string, "content": string }`, { path });
  }
  return value as ChatMessage[];
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgv(argv, { flags: ['--no-generation-prompt'], positionals: 2, usage: USAGE });
  const [name, path] = args.positionals;
  const messages = await readMessages(path);
  const model = await readModelHeader(name);
  const opts = chatTemplateOptions(model, createTokenizer(model));
  const { prompt, usedDefault } = applyChatTemplate(messages, {
    ...opts,
    modelName: opts.modelName ?? name,
    addGenerationPrompt: !args.flags.has('--no-generation-prompt'),
  });
  if (usedDefault) process.stderr.write(`note: ${opts.modelName ?? name} has no tokenizer.chat_template; ChatML was used\n`);
  process.stdout.write(prompt);
  return 0;
}
