/**
 * gguf-pager chat <file|url> (--messages messages.json | --prompt <text>) [--tools tools.json]
 *   [--tool-choice auto|required|none|<name>] [--json-schema schema.json] [--max-tokens N] [--temperature T] [--seed S]
 *
 * One OpenAI-style chat completion in Node (the API of docs/openai.md over the
 * engine): prints the response object as JSON.
 */
import { GgufPagerError } from '../errors.ts';
import { engineBackend } from '../api/engine-backend.ts';
import { createOpenAiApi, type ChatCompletionParams } from '../api/index.ts';
import type { ChatMessageParam, FunctionTool, ToolChoice } from '../api/types.ts';
import { parseArgv } from './args.ts';
import { readJson } from './json-file.ts';
import { withModel } from './open-model.ts';

const USAGE =
  'usage: gguf-pager chat <file|url> (--messages messages.json | --prompt <text>) [--tools tools.json] [--tool-choice auto|required|none|<name>] [--json-schema schema.json] [--max-tokens N] [--temperature T] [--seed S]';
const bad = (m: string) => new GgufPagerError('INVALID_ARGUMENT', `chat: ${m}\n${USAGE}`);

const optNum = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw bad(`${name} must be a number, not ${v}`);
  return n;
};

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const p = parseArgv(argv, {
    positionals: 1,
    usage: USAGE,
    options: ['--messages', '--prompt', '--tools', '--tool-choice', '--json-schema', '--max-tokens', '--temperature', '--seed'],
  });
  const o = p.options;
  let messages: ChatMessageParam[];
  if (o.has('--messages')) messages = readJson(o.get('--messages')!, 'messages file') as ChatMessageParam[];
  else if (o.has('--prompt')) messages = [{ role: 'user', content: o.get('--prompt')! }];
  else throw bad('--messages or --prompt is required');
  const params: ChatCompletionParams = { messages };
  if (o.has('--tools')) params.tools = readJson(o.get('--tools')!, 'tools file') as FunctionTool[];
  const choice = o.get('--tool-choice');
  if (choice !== undefined) {
    params.tool_choice = (['auto', 'required', 'none'].includes(choice) ? choice : { type: 'function', function: { name: choice } }) as ToolChoice;
  }
  if (o.has('--json-schema'))
    params.response_format = {
      type: 'json_schema',
      json_schema: { name: 'schema', schema: readJson(o.get('--json-schema')!, 'schema file') as Record<string, unknown> },
    };
  params.max_tokens = optNum(o.get('--max-tokens'), '--max-tokens') ?? 256;
  params.temperature = optNum(o.get('--temperature'), '--temperature');
  params.seed = optNum(o.get('--seed'), '--seed');
  const r = await withModel(p.positionals[0], {}, (s) => createOpenAiApi(engineBackend(s.engine)).chat.completions.create({ ...params, stream: false }));
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  return 0;
}
