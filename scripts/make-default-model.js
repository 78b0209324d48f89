// Generates the demo's default model once: a llama-shaped GGUF with
// deterministic random weights (96 MiB, Q8_0), written by the project's own
// GGUF writer into build/models/default.gguf. Needs `npm run build:node`.
import { existsSync, mkdirSync, openSync, writeSync, closeSync, renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_MODEL_MIB = 96;
const out = fileURLToPath(new URL('../build/models/default.gguf', import.meta.url));
const lib = new URL('../dist/src/authoring/synthetic-size.js', import.meta.url);

export async function makeDefaultModel() {
  if (!existsSync(fileURLToPath(lib))) throw new Error('dist/ is missing: run `npm run build:node` first');
  const { sizedLlama } = await import(lib.href);
  const model = sizedLlama(DEFAULT_MODEL_MIB * 2 ** 20, { name: 'gguf-pager-demo', seed: 7 });
  if (existsSync(out) && statSync(out).size === model.size) return out;
  mkdirSync(fileURLToPath(new URL('.', new URL('../build/models/', import.meta.url))), { recursive: true });
  const tmp = `${out}.partial`;
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of model.chunks(4 << 20)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, out);
  process.stdout.write(`[models] wrote ${out} (${(model.size / 2 ** 20).toFixed(1)} MiB, ${model.layout.tensors.length} tensors)\n`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await makeDefaultModel();
