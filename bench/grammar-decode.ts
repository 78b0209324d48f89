/**
 * Grammar-masked decode against unconstrained decode on one model, in Node,
 * one thread, the whole model resident:
 *
 *   npm run -s build:node && node scripts/make-models.mjs bench q8_0 \
 *     && node --experimental-wasm-relaxed-simd dist/bench/grammar-decode.js /tmp/gguf-pager-models/bench-llama-12x768-Q8_0.gguf
 *
 * Decode tokens/s (prompt excluded) of `--tokens` (48) sampled tokens,
 * unconstrained and under the JSON grammar, runs interleaved, medians of
 * `--runs` (5). The ratio is the figure (target ≥ 0.9); the machine's load
 * moves both alike.
 */
import { parseArgs } from 'node:util';
import { openStandalone } from '../src/engine/standalone.ts';
import { FileSource } from '../src/sources/file.ts';
import { JSON_GBNF } from '../src/text/grammar/json-gbnf.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { tokens: { type: 'string', default: '48' }, runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
});
const path = positionals[0];
if (!path) throw new Error('usage: grammar-decode.js <model.gguf> [--tokens N] [--runs N] [--json]');
const n = Number(values.tokens);
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const source = await FileSource.open(path);
const s = await openStandalone([source], { contextLength: 512 });
const free: number[] = [];
const masked: number[] = [];
const maskedTokens: number[] = [];
try {
  for (let r = 0; r < runs; r++) {
    const opts = { maxTokens: n, temperature: 0.8, seed: r + 1, ignoreEog: true };
    s.engine.reset();
    free.push((await s.engine.generate('Once upon a time', opts)).tokensPerSecond);
    s.engine.reset();
    const g = await s.engine.generate('Once upon a time', { ...opts, grammar: JSON_GBNF });
    masked.push(g.tokensPerSecond);
    maskedTokens.push(g.generatedTokens);
  }
} finally {
  await s.dispose();
  await source.close?.();
}
const out = {
  model: path,
  tokens: n,
  runs,
  unconstrainedTokPerS: median(free),
  jsonGrammarTokPerS: median(masked),
  ratio: median(masked) / median(free),
  jsonGrammarTokens: maskedTokens,
};
if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
else
  console.log(
    `decode ${n} tokens, median of ${runs}: unconstrained ${out.unconstrainedTokPerS.toFixed(2)} tok/s, JSON grammar ${out.jsonGrammarTokPerS.toFixed(2)} tok/s, ratio ${out.ratio.toFixed(3)} ${out.ratio >= 0.9 ? 'OK' : 'BELOW TARGET'} (grammar runs generated ${maskedTokens.join(', ')} tokens)`,
  );
