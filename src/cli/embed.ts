/**
 * gguf-pager embed <file|url> --text "…" [--text …] [--pooling mean|cls|last] [--json]
 *
 * Pooled, L2-normalized embeddings of each text: with --json one object
 * `{ "embeddings": number[][] }`, else one line of numbers per text.
 */
import { GgufPagerError } from '../errors.ts';
import type { Pooling } from '../engine/pooled-embeddings.ts';
import { parseArgv } from './args.ts';
import { withModel } from './open-model.ts';

const USAGE = 'usage: gguf-pager embed <file|url> --text "…" [--text …] [--pooling mean|cls|last] [--json]';
const bad = (m: string) => new GgufPagerError('INVALID_ARGUMENT', `embed: ${m}\n${USAGE}`);

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  // --text repeats: take every occurrence before the common parser sees the rest
  const texts: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--text') {
      if (i + 1 >= argv.length) throw bad('--text needs a value');
      texts.push(argv[++i]);
    } else if (argv[i].startsWith('--text=')) texts.push(argv[i].slice(7));
    else rest.push(argv[i]);
  }
  const p = parseArgv(rest, { positionals: 1, flags: ['--json'], options: ['--pooling'], usage: USAGE });
  if (texts.length === 0) throw bad('at least one --text is required');
  const pooling = p.options.get('--pooling');
  if (pooling !== undefined && pooling !== 'mean' && pooling !== 'cls' && pooling !== 'last') throw bad(`--pooling must be mean, cls or last, not ${pooling}`);
  const r = await withModel(p.positionals[0], {}, (s) => s.engine.embed(texts, { pooling: pooling as Pooling | undefined }));
  if (p.flags.has('--json')) process.stdout.write(JSON.stringify({ embeddings: r.vectors }) + '\n');
  else for (const v of r.vectors) process.stdout.write(v.map((x) => x.toPrecision(7)).join(' ') + '\n');
  return 0;
}
