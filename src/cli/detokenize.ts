/**
 * gguf-pager detokenize <file|url> <ids…> [--render-special]
 *
 * Prints the text of the token ids (given as separate arguments, or separated
 * by commas or spaces), as llama.cpp's detokenizer gives it; control tokens
 * are left out unless --render-special.
 */
import { GgufPagerError } from '../errors.ts';
import { createTokenizer } from '../text/tokenizer.ts';
import { parseArgv } from './args.ts';
import { readModelHeader } from './model-header.ts';

const USAGE = 'usage: gguf-pager detokenize <file|url> <ids…> [--render-special]';

export async function run(argv: string[]): Promise<number> {
  const args = parseArgv(argv, { flags: ['--render-special'], usage: USAGE });
  const [name, ...rest] = args.positionals;
  const words = rest.flatMap((a) => a.split(/[\s,]+/)).filter((w) => w !== '');
  if (!name || words.length === 0) throw new GgufPagerError('INVALID_ARGUMENT', `expected a model and at least one token id\n${USAGE}`, {});
  const ids = words.map((w) => {
    if (!/^\d+$/.test(w)) throw new GgufPagerError('INVALID_ARGUMENT', `'${w}' is not a token id\n${USAGE}`, { value: w });
    return Number(w);
  });
  const tok = createTokenizer(await readModelHeader(name));
  process.stdout.write(tok.decode(ids, { renderSpecial: args.flags.has('--render-special') }) + '\n');
  return 0;
}
