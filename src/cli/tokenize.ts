/**
 * gguf-pager tokenize <file|url> <text> [--json] [--no-special] [--parse-special]
 *
 * Prints the token ids of `text` (BOS/EOS as the model's metadata asks, unless
 * --no-special), space-separated; `--json`: one object { ids, pieces } where
 * pieces[i] is the text token i stands for (special tokens rendered).
 * --parse-special reads control tokens written in the text (`<|im_start|>`).
 */
import { createTokenizer } from '../text/tokenizer.ts';
import { parseArgv } from './args.ts';
import { readModelHeader } from './model-header.ts';

const USAGE = 'usage: gguf-pager tokenize <file|url> <text> [--json] [--no-special] [--parse-special]';

export async function run(argv: string[]): Promise<number> {
  const args = parseArgv(argv, { flags: ['--json', '--no-special', '--parse-special'], positionals: 2, usage: USAGE });
  const [name, text] = args.positionals;
  const tok = createTokenizer(await readModelHeader(name));
  const ids = tok.encode(text, { addSpecial: !args.flags.has('--no-special'), parseSpecial: args.flags.has('--parse-special') });
  for (const w of tok.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write((args.flags.has('--json') ? JSON.stringify({ ids, pieces: ids.map((id) => tok.piece(id)) }) : ids.join(' ')) + '\n');
  return 0;
}
