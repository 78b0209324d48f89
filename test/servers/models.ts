/**
 * GGUF models for the browser tests, written into the range server's folder:
 * synthetic llama models made by the project's GGUF writer (streamed to disk
 * in chunks), and links to the shared real fixtures (never copied into the repo).
 */
import { closeSync, existsSync, openSync, readdirSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { planChunks } from '../../src/gguf/model-plan.ts';
import { realModelPlan, tokenizerEntries } from '../../src/gguf/synthetic-real.ts';
import { ggufEntries } from '../../src/gguf/reencode.ts';
import { GENERATING_MODEL, servedModel, splitModel, SYNTHETIC_MODELS, type SyntheticModelName } from './model-list.ts';

export const FIXTURES_DIR = resolve('../shared/fixtures/models');

export interface ServedModels {
  /** File name → size in bytes. */
  synthetic: Record<string, number>;
  /** Fixture file names linked in, [] when ../shared is absent. */
  fixtures: string[];
}

/** A model that generates (stories260K's tokenizer, random Q8_0 weights): GENERATING_MODEL.name, when the fixtures exist. */
async function writeGeneratingModel(dir: string, synthetic: Record<string, number>): Promise<void> {
  const tokenizer = join(FIXTURES_DIR, 'stories260K.gguf');
  if (!existsSync(tokenizer)) return;
  const entries = tokenizerEntries(await ggufEntries(new Uint8Array(readFileSync(tokenizer)))).entries;
  const fd = openSync(join(dir, GENERATING_MODEL.name), 'w');
  let size = 0;
  try {
    for (const chunk of planChunks(realModelPlan(GENERATING_MODEL.recipe, entries))) { writeSync(fd, chunk); size += chunk.length; }
  } finally {
    closeSync(fd);
  }
  synthetic[GENERATING_MODEL.name] = size;
}

export async function writeTestModels(dir: string): Promise<ServedModels> {
  const synthetic: Record<string, number> = {};
  for (const name of Object.keys(SYNTHETIC_MODELS) as SyntheticModelName[]) {
    const model = servedModel(name);
    const fd = openSync(join(dir, name), 'w');
    try {
      for (const chunk of model.chunks(4 << 20)) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    synthetic[name] = model.size;
  }
  for (const [name, bytes] of splitModel().shards) writeFileSync(join(dir, name), bytes);
  await writeGeneratingModel(dir, synthetic);
  const fixtures = existsSync(FIXTURES_DIR) ? readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.gguf')) : [];
  for (const f of fixtures) symlinkSync(join(FIXTURES_DIR, f), join(dir, f));
  return { synthetic, fixtures };
}
