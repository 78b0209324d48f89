/**
 * gguf-pager generate <file|url> --prompt <text> [--max-tokens N] [--temperature T]
 *   [--seed S] [--budget B|N%] [--kv f16|f32] [--batch N] [--context N] [--threads N|auto] [--json] [--logits out.json]
 *   [--grammar file.gbnf | --json-schema schema.json]
 *
 * Runs the engine in Node on the model's bytes (a file or an HTTP Range URL):
 * streams the text, or with --json prints one object. --budget bounds the
 * weight bytes kept resident (the rest is paged from the source); --logits
 * writes the logits of every computed position, for checks against llama.cpp.
 * --threads: compute threads (worker_threads on one shared core memory;
 * default auto: one per core, at most 8); --json reports the threads computing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { GgufPagerError } from '../errors.ts';
import { openStandalone } from '../engine/standalone.ts';
import { splitShardNames } from '../gguf/split.ts';
import { FileSource } from '../sources/file.ts';
import { HttpRangeSource } from '../sources/http/source.ts';
import type { PagerSource } from '../sources/source.ts';
import { parseArgv } from './args.ts';
import { parseBudget } from './simulate.ts';
import { readJson } from './json-file.ts';
import { jsonSchemaToGrammar } from '../text/grammar/json-schema.ts';

const USAGE =
  'usage: gguf-pager generate <file|url> --prompt <text> [--max-tokens N] [--temperature T] [--seed S] [--budget B|N%] [--kv f16|f32] [--batch N] [--context N] [--threads N|auto] [--json] [--logits out.json] [--grammar file.gbnf | --json-schema schema.json]';

const bad = (m: string) => new GgufPagerError('INVALID_ARGUMENT', `generate: ${m}\n${USAGE}`);

function num(name: string, v: string | undefined, fallback: number, int = true): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isSafeInteger(n)) || n < 0) throw bad(`${name} must be a${int ? 'n integer' : ' number'} ≥ 0, not ${v}`);
  return n;
}

/** The grammar of --grammar (GBNF text) or --json-schema (a JSON Schema file, converted as llama.cpp does). */
function constrainedBy(grammarFile: string | undefined, schemaFile: string | undefined): string | undefined {
  if (grammarFile !== undefined && schemaFile !== undefined) throw bad('--grammar and --json-schema exclude each other');
  if (grammarFile !== undefined) {
    try {
      return readFileSync(grammarFile, 'utf8');
    } catch (e) {
      throw new GgufPagerError('SOURCE_OPEN', `grammar file ${grammarFile} could not be read: ${(e as Error).message}`, { path: grammarFile });
    }
  }
  return schemaFile === undefined ? undefined : jsonSchemaToGrammar(readJson(schemaFile, 'schema file')).grammar;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const p = parseArgv(argv, {
    flags: ['--json'],
    positionals: 1,
    usage: USAGE,
    options: [
      '--prompt',
      '--max-tokens',
      '--temperature',
      '--seed',
      '--budget',
      '--kv',
      '--logits',
      '--batch',
      '--context',
      '--grammar',
      '--json-schema',
      '--threads',
    ],
  });
  const grammar = constrainedBy(p.options.get('--grammar'), p.options.get('--json-schema'));
  const prompt = p.options.get('--prompt');
  if (prompt === undefined) throw bad('--prompt is required');
  const kv = p.options.get('--kv') ?? 'f16';
  if (kv !== 'f16' && kv !== 'f32') throw bad(`--kv must be f16 or f32, not ${kv}`);
  const json = p.flags.has('--json');
  const logitsOut = p.options.get('--logits');
  const threadsArg = p.options.get('--threads') ?? 'auto';
  const threads = threadsArg === 'auto' ? 'auto' : num('--threads', threadsArg, 1);
  if (threads !== 'auto' && threads < 1) throw bad(`--threads must be auto or an integer ≥ 1, not ${threadsArg}`);
  const sources: PagerSource[] = await Promise.all(
    splitShardNames(p.positionals[0]).map((n) => (/^https?:\/\//i.test(n) ? HttpRangeSource.open(n) : FileSource.open(n))),
  );
  try {
    const modelBytes = sources.reduce((a, s) => a + s.size, 0);
    const budget = p.options.has('--budget') ? parseBudget(p.options.get('--budget')!, modelBytes) : undefined;
    const s = await openStandalone(sources, {
      kvType: kv,
      ...(budget !== undefined ? { ramBytes: budget } : {}),
      ...(p.options.has('--batch') ? { batchSize: num('--batch', p.options.get('--batch'), 32) } : {}),
      ...(p.options.has('--context') ? { contextLength: num('--context', p.options.get('--context'), 0) } : {}),
      threads,
    });
    try {
      const logits: Array<{ position: number; logits: number[] }> = [];
      const r = await s.engine.generate(
        prompt,
        {
          maxTokens: num('--max-tokens', p.options.get('--max-tokens'), 64),
          temperature: num('--temperature', p.options.get('--temperature'), 0, false),
          seed: num('--seed', p.options.get('--seed'), 0),
          ...(grammar !== undefined ? { grammar } : {}),
          ...(logitsOut ? { onLogits: (position: number, l: Float32Array) => void logits.push({ position, logits: Array.from(l) }) } : {}),
        },
        (piece) => {
          if (!json) process.stdout.write(piece.text);
        },
      );
      const stats = s.pager.stats();
      if (logitsOut) writeFileSync(logitsOut, JSON.stringify({ promptIds: s.engine.cachedTokens.slice(0, r.promptTokens), tokens: r.tokens, logits }) + '\n');
      if (json) {
        process.stdout.write(
          JSON.stringify({
            promptTokens: r.promptTokens,
            tokens: r.tokens,
            text: r.text,
            stopReason: r.stopReason,
            promptTokensPerSecond: r.promptTokensPerSecond,
            tokensPerSecond: r.tokensPerSecond,
            timeToFirstTokenMs: r.timeToFirstTokenMs,
            bytesLoadedPerToken: r.bytesLoadedPerToken,
            bytesLoaded: stats.bytesLoaded + s.engine.forward.embeddings.bytesRead,
            maxResidentBytes: stats.maxResidentBytes,
            threads: s.core.threads.count,
            ...(s.core.threads.reason !== null ? { threadsReason: s.core.threads.reason } : {}),
          }) + '\n',
        );
      } else {
        process.stdout.write(
          `\n[${r.stopReason}] ${r.promptTokens} prompt tokens at ${r.promptTokensPerSecond.toFixed(1)}/s, ` +
            `${r.generatedTokens} generated at ${r.tokensPerSecond.toFixed(1)}/s, ${(r.bytesLoadedPerToken / 2 ** 20).toFixed(2)} MiB loaded per token, ` +
            `${s.core.threads.count} thread${s.core.threads.count > 1 ? 's' : ''}\n`,
        );
      }
      return 0;
    } finally {
      await s.dispose();
    }
  } finally {
    await Promise.all(sources.map((x) => x.close?.()));
  }
}
