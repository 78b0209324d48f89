#!/usr/bin/env node
/**
 * gguf-pager command line. Each command lives in its own file and exports
 * `run(argv: string[]): Promise<number>` (the exit code).
 */
import { isGgufPagerError } from '../core/errors.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  inspect: { summary: 'inspect <file|url> [--json]            print a GGUF header and tensor table', load: () => import('./inspect.ts') },
  generate: { summary: 'generate <file|url> --prompt <text> …   generate text with the engine (--json, --logits out.json)', load: () => import('./generate.ts') },
  simulate: { summary: 'simulate <file|url> --budget <b|N%> …  run the pager on a forward-pass trace', load: () => import('./simulate.ts') },
};

function usage(): string {
  return ['usage: gguf-pager <command> [options]', '', 'commands:', ...Object.values(COMMANDS).map((c) => '  ' + c.summary)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
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

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
