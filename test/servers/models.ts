/**
 * GGUF models for the browser tests, written into the range server's folder:
 * synthetic llama models made by the project's GGUF writer (streamed to disk
 * in chunks), and links to the shared real fixtures (never copied into the repo).
 * The fixtures are found as every test finds them (test/cases/fixtures-dir.ts):
 * a missing folder fails the setup with that one message.
 */
import { closeSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planChunks } from '../../src/authoring/model-plan.ts';
import { realModelPlan, tokenizerEntries, type RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import { ggufEntries } from '../../src/authoring/reencode.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';
import { GENERATING_MODEL, servedModel, splitModel, SYNTHETIC_MODELS, type SyntheticModelName } from './model-list.ts';

export interface ServedModels {
  /** File name → size in bytes. */
  synthetic: Record<string, number>;
  /** Fixture file names linked in. */
  fixtures: string[];
}

/** A model that generates (stories260K's tokenizer, random Q8_0 weights): GENERATING_MODEL.name. */
async function writeGeneratingModel(dir: string, synthetic: Record<string, number>): Promise<void> {
  const tokenizer = fixturePath('models/stories260K.gguf');
  const entries = tokenizerEntries(await ggufEntries(new Uint8Array(readFileSync(tokenizer)))).entries;
  const fd = openSync(join(dir, GENERATING_MODEL.name), 'w');
  let size = 0;
  try {
    for (const chunk of planChunks(realModelPlan(GENERATING_MODEL.recipe, entries))) {
      writeSync(fd, chunk);
      size += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  synthetic[GENERATING_MODEL.name] = size;
}

/** The synthetic bert encoder of test/vectors/embeddings/bert-F32-cls.json (bge's vocabulary), as `bert-F32-cls.gguf`. */
async function writeBertModel(dir: string, synthetic: Record<string, number>): Promise<void> {
  const ref = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../vectors/embeddings/bert-F32-cls.json'), 'utf8')) as {
    model: { base: RealModelRecipe };
  };
  const recipe = ref.model.base;
  const entries = tokenizerEntries(await ggufEntries(new Uint8Array(readFileSync(fixturePath(recipe.tokenizer))))).entries;
  const fd = openSync(join(dir, 'bert-F32-cls.gguf'), 'w');
  let size = 0;
  try {
    for (const chunk of planChunks(realModelPlan(recipe, entries))) {
      writeSync(fd, chunk);
      size += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  synthetic['bert-F32-cls.gguf'] = size;
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
  await writeBertModel(dir, synthetic);
  const models = dirname(fixturePath('models/stories260K.gguf'));
  const fixtures = readdirSync(models).filter((f) => f.endsWith('.gguf'));
  for (const f of fixtures) symlinkSync(join(models, f), join(dir, f));
  return { synthetic, fixtures };
}
