/**
 * Embedding throughput of a decoder model in Node, one thread, the whole
 * model resident (the bert architecture is not implemented, so no encoder
 * model and no comparison with transformers.js here):
 *
 *   npm run -s build:node && node scripts/make-models.mjs bench q8_0 \
 *     && node --experimental-wasm-relaxed-simd dist/bench/embed.js /tmp/gguf-pager-models/bench-llama-12x768-Q8_0.gguf
 *
 * Tokens per second over `--inputs` (8) inputs of `--length` (64) tokens, mean pooling, median of `--runs` (3).
 */
import { parseArgs } from 'node:util';
import { openStandalone } from '../src/engine/standalone.ts';
import { FileSource } from '../src/sources/file.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { inputs: { type: 'string', default: '8' }, length: { type: 'string', default: '64' }, runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const path = positionals[0];
if (!path) throw new Error('usage: embed.js <model.gguf> [--inputs N] [--length N] [--runs N] [--json]');
const source = await FileSource.open(path);
const s = await openStandalone([source], { contextLength: 512 });
const vocab = s.engine.tokenizer.vocabSize;
const inputs = Array.from({ length: Number(values.inputs) }, (_, i) => Array.from({ length: Number(values.length) }, (_, j) => 100 + ((i * 7919 + j * 104729) % (vocab - 200))));
const rates: number[] = [];
try {
  for (let r = 0; r < Number(values.runs); r++) {
    const t0 = performance.now();
    const { tokens } = await s.engine.embed(inputs, { pooling: 'mean' });
    rates.push((tokens * 1000) / (performance.now() - t0));
  }
} finally {
  await s.dispose();
  await source.close?.();
}
const median = [...rates].sort((a, b) => a - b)[rates.length >> 1];
if (values.json) process.stdout.write(JSON.stringify({ model: path, inputs: inputs.length, length: inputs[0].length, tokensPerSecond: median }) + '\n');
else console.log(`embeddings: ${inputs.length} inputs × ${inputs[0].length} tokens, mean pooling: ${median.toFixed(1)} tokens/s (median of ${rates.length})`);
