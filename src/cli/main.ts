#!/usr/bin/env node
/**
 * gguf-pager command line. Each command lives in its own file and exports
 * `run(argv: string[]): Promise<number>` (the exit code).
 */
import { readFileSync } from 'node:fs';
import { isGgufPagerError } from '../errors.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  inspect: { summary: 'inspect <file|url> [--json]            print a GGUF header and tensor table', load: () => import('./inspect.ts') },
  generate: {
    summary: 'generate <file|url> --prompt <text> …   generate text with the engine (--json, --logits out.json)',
    load: () => import('./generate.ts'),
  },
  simulate: { summary: 'simulate <file|url> --budget <b|N%> …  run the pager on a forward-pass trace', load: () => import('./simulate.ts') },
  tokenize: { summary: 'tokenize <file|url> <text> [--json]     print the token ids of a text', load: () => import('./tokenize.ts') },
  detokenize: { summary: 'detokenize <file|url> <ids…>           print the text of token ids', load: () => import('./detokenize.ts') },
  chat: {
    summary: 'chat <file|url> --messages m.json …     one OpenAI-style chat completion (--tools, --json-schema), as JSON',
    load: () => import('./chat.ts'),
  },
  embed: { summary: 'embed <file|url> --text … [--json]       pooled, normalized embeddings of texts', load: () => import('./embed.ts') },
  'chat-template': { summary: "chat-template <file|url> <messages.json> render the model's chat template", load: () => import('./chat-template.ts') },
};

function usage(): string {
  return [
    'usage: gguf-pager <command> [options]',
    '',
    'commands:',
    ...Object.values(COMMANDS).map((c) => '  ' + c.summary),
    '',
    'options:',
    '  --help, -h      this text',
    '  --version, -v   the package version',
  ].join('\n');
}

/** The version in the nearest package.json named gguf-pager above this file (the bundle, the sources, tsc's output). */
export function version(): string {
  for (let up = './'; up.length < 40; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up + 'package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gguf-pager' && pkg.version) return pkg.version;
    } catch {
      /* none here: one folder up */
    }
  }
  return 'unknown';
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(version() + '\n');
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`gguf-pager: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  try {
    return await (await cmd.load()).run(rest);
  } catch (e) {
    if (isGgufPagerError(e)) process.stderr.write(`${e.code}: ${e.message}\n`);
    else process.stderr.write(`INTERNAL: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
