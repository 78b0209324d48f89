#!/usr/bin/env node
/**
 * Writes stories260K's F16, Q8_0 and Q4_0 re-encodings (the project's own
 * quantizers and GGUF writer, src/gguf/reencode.ts) into a folder, for
 * recording llama.cpp references with scripts/gen-reference.mjs (run by hand
 * after `npm run build:node`; the tests re-encode in memory themselves).
 *
 *   node scripts/gen-reencode.mjs <stories260K.gguf> <out-dir>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { reencodeGguf } from '../dist/src/gguf/reencode.js';
import { planBytes } from '../dist/src/gguf/model-plan.js';

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  console.error('usage: node scripts/gen-reencode.mjs <model.gguf> <out-dir>');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const bytes = new Uint8Array(readFileSync(src));
for (const type of ['F16', 'Q8_0', 'Q4_0']) {
  const file = join(out, basename(src).replace(/\.gguf$/, `-${type}.gguf`));
  writeFileSync(file, planBytes(await reencodeGguf(bytes, type, basename(src))));
  console.log(file);
}
