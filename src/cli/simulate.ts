/**
 * gguf-pager simulate <file|url> --budget <bytes|N%> [--policy auto|lru]
 *   [--pins default|none] [--prefetch N] [--tokens T] [--json]
 *
 * Runs the real pager and arena over the model's bytes on the forward-pass
 * trace and answers "how much memory does this model need?": with --json one
 * object for the given budget; otherwise a table for 25/50/75/100 % (and the
 * given budget), with the bytes each token reloads.
 */
import { GgufPagerError, isGgufPagerError } from '../errors.ts';
import { parseArgv, parseByteSize } from './args.ts';
import { parseGguf } from '../gguf/parse.ts';
import { splitShardNames } from '../gguf/split.ts';
import type { GgufModel } from '../gguf/types.ts';
import { blockCount, type EvictionKind } from '../pager/policy.ts';
import { minimumBudgetBytes, simulate, simulationPolicy, type PinsChoice, type SimulationResult } from '../pager/simulator.ts';
import { FileSource } from '../sources/file.ts';
import { HttpRangeSource } from '../sources/http/source.ts';
import type { PagerSource } from '../sources/source.ts';

const USAGE = 'usage: gguf-pager simulate <file|url> --budget <bytes|N%> [--policy auto|lru] [--pins default|none] [--prefetch N] [--tokens T] [--json]';
const TABLE_PERCENTS = [25, 50, 75, 100];
const MiB = 1024 * 1024;
/** --tokens above this is refused: one number per token is kept. */
export const MAX_TOKENS = 100_000;

interface Args {
  target: string;
  budget?: string;
  policy: EvictionKind;
  pins: PinsChoice;
  prefetch: number;
  tokens: number;
  json: boolean;
}

function bad(message: string): GgufPagerError {
  return new GgufPagerError('INVALID_ARGUMENT', `simulate: ${message}\n${USAGE}`);
}

function intArg(name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v);
  if (v === undefined || !Number.isSafeInteger(n) || n < min || n > max) throw bad(`${name} must be an integer in ${min}..${max}, not ${v ?? 'nothing'}`);
  return n;
}

export function parseArgs(argv: string[]): Args {
  const p = parseArgv(argv, { flags: ['--json'], options: ['--budget', '--policy', '--pins', '--prefetch', '--tokens'], positionals: 1, usage: USAGE });
  const policy = p.options.get('--policy') ?? 'auto';
  if (policy !== 'auto' && policy !== 'lru') throw bad(`--policy must be auto or lru, not ${policy}`);
  const pins = p.options.get('--pins') ?? 'default';
  if (pins !== 'default' && pins !== 'none') throw bad(`--pins must be default or none, not ${pins}`);
  const a: Args = {
    target: p.positionals[0],
    budget: p.options.get('--budget'),
    policy,
    pins,
    prefetch: p.options.has('--prefetch') ? intArg('--prefetch', p.options.get('--prefetch'), 0, 1024) : 0,
    tokens: p.options.has('--tokens') ? intArg('--tokens', p.options.get('--tokens'), 1, MAX_TOKENS) : 8,
    json: p.flags.has('--json'),
  };
  if (a.json && a.budget === undefined) throw bad('--json needs --budget');
  return a;
}

/** `N%` of the model's tensor bytes, or a byte size (4096, 64MiB, 1.5GB; src/cli/args.ts). */
export function parseBudget(text: string, modelBytes: number): number {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  let bytes: number;
  try {
    bytes = pct ? Math.floor((modelBytes * Number(pct[1])) / 100) : parseByteSize(text);
  } catch {
    bytes = NaN;
  }
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw bad(`--budget ${text} is not a byte count or a percentage of the model`);
  return bytes;
}

async function openSources(target: string): Promise<PagerSource[]> {
  return Promise.all(splitShardNames(target).map((n) => (/^https?:\/\//i.test(n) ? HttpRangeSource.open(n) : FileSource.open(n))));
}

const mib = (b: number) => (b / MiB).toFixed(2);

function table(model: GgufModel, args: Args, name: string, rows: Array<{ pct: number; budget: number; r?: SimulationResult; error?: string }>): string {
  const policy = simulationPolicy(1, args.policy, args.pins, args.prefetch);
  const min = minimumBudgetBytes(model, policy);
  const out = [
    `model   ${name}: ${mib(model.totalTensorBytes)} MiB in ${model.tensors.length} tensors, ${blockCount(model)} blocks`,
    `policy  ${args.policy} eviction, pins ${args.pins}, prefetch ${args.prefetch}, ${args.tokens} tokens`,
    `needs   ${mib(min)} MiB to run at all (pins + the largest group), ${mib(model.totalTensorBytes)} MiB to reload nothing after the first token`,
    '',
    '  budget        MiB   first token MiB   steady MiB/token   hit rate   evictions',
  ];
  for (const { pct, budget, r, error } of rows) {
    const head = `${pct.toFixed(pct % 1 ? 1 : 0).padStart(7)}%  ${mib(budget).padStart(9)}`;
    if (!r) {
      out.push(`${head}   ${error}`);
      continue;
    }
    out.push(
      `${head}   ${mib(r.bytesLoadedFirstToken).padStart(15)}   ${mib(r.steadyBytesPerToken).padStart(16)}   ${(r.hitRate * 100).toFixed(1).padStart(7)}%   ${String(r.evictions).padStart(9)}`,
    );
  }
  return out.join('\n') + '\n';
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const args = parseArgs(argv);
  const sources = await openSources(args.target);
  try {
    const model = await parseGguf(sources.length > 1 ? sources : sources[0]);
    const one = (budgetBytes: number) =>
      simulate({ model, sources, budgetBytes, eviction: args.policy, pins: args.pins, prefetch: args.prefetch, tokens: args.tokens });
    if (args.json) {
      const r = await one(parseBudget(args.budget!, model.totalTensorBytes));
      process.stdout.write(JSON.stringify(r) + '\n');
      return 0;
    }
    const budgets = TABLE_PERCENTS.map((pct) => ({ pct, budget: Math.floor((model.totalTensorBytes * pct) / 100) }));
    if (args.budget !== undefined && !budgets.some((b) => b.budget === parseBudget(args.budget!, model.totalTensorBytes))) {
      const budget = parseBudget(args.budget, model.totalTensorBytes);
      budgets.push({ pct: (budget / model.totalTensorBytes) * 100, budget });
      budgets.sort((x, y) => x.budget - y.budget);
    }
    const given = args.budget === undefined ? -1 : parseBudget(args.budget, model.totalTensorBytes);
    const rows: Array<{ pct: number; budget: number; r?: SimulationResult; error?: string }> = [];
    let failed: GgufPagerError | undefined;
    for (const b of budgets) {
      try {
        rows.push({ ...b, r: await one(b.budget) });
      } catch (e) {
        if (!isGgufPagerError(e)) throw e;
        rows.push({ ...b, error: `${e.code}: ${e.message}` });
        if (b.budget === given) failed = e;
      }
    }
    process.stdout.write(table(model, args, sources[0].name, rows));
    if (failed) throw failed;
    return 0;
  } finally {
    await Promise.all(sources.map((s) => s.close?.()));
  }
}
