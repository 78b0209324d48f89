/**
 * The models of the llama.cpp references in test/vectors/llama/ (recorded by
 * quant's scripts/make-llama-reference.mjs): the stories260K fixture, its
 * re-encodings and the synthetic llama/qwen2 models, all rebuilt here in
 * memory from each file's recipe and checked against its sha256; and a
 * standalone engine over them.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { openStandalone, type Standalone, type StandaloneOptions } from '../../src/engine/standalone.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { realModelFromTokenizerGguf, reencodeGguf } from '../../src/authoring/reencode.ts';
import type { RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import type { QuantType } from '../../src/authoring/quantize/index.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { fixturePath, REPO_ROOT } from './fixtures-dir.ts';

export type Recipe = { fixture: string } | { reencode: string; type: QuantType } | RealModelRecipe;

export interface LlamaReference {
  name: string;
  model: { recipe: Recipe; sha256: string; size: number };
  runtime: { kvType: 'F16' | 'F32' };
  prompt: string;
  promptIds: number[];
  greedyIds: number[];
  greedyText: string;
  /** Logits at every position: the prompt's, then each generated token's fed back. */
  logits: number[][];
}

const DIR = `${REPO_ROOT}/test/vectors/llama`;

export const REFERENCES: readonly string[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();

export function reference(name: string): LlamaReference {
  return JSON.parse(readFileSync(`${DIR}/${name}.json`, 'utf8')) as LlamaReference;
}

/** The weight type a reference's model is named for (`Q4_K_M`, `F32`, …). */
export function weightsOf(ref: LlamaReference): string {
  const r = ref.model.recipe;
  return 'fixture' in r ? 'F32' : 'reencode' in r ? r.type : r.weights;
}

const fixture = (rel: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(rel)));
const built = new Map<string, Promise<Uint8Array>>();

/** The model bytes of a reference, rebuilt from its recipe; throws when they are not the bytes llama.cpp read. */
export function modelBytes(ref: LlamaReference): Promise<Uint8Array> {
  const r = ref.model.recipe;
  const key = JSON.stringify(r);
  let p = built.get(key);
  if (!p) {
    p = (
      'fixture' in r
        ? Promise.resolve(fixture(r.fixture))
        : 'reencode' in r
          ? reencodeGguf(fixture(r.reencode), r.type).then(planBytes)
          : realModelFromTokenizerGguf(r, fixture(r.tokenizer)).then(planBytes)
    ).then((bytes) => {
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (sha !== ref.model.sha256) throw new Error(`${ref.name}: rebuilt model has sha256 ${sha}, the reference was recorded on ${ref.model.sha256}`);
      return bytes;
    });
    built.set(key, p);
  }
  return p;
}

export async function openReference(ref: LlamaReference, opts: StandaloneOptions = {}): Promise<Standalone> {
  return openStandalone([new MemorySource(await modelBytes(ref), `${ref.name}.gguf`)], { kvType: ref.runtime.kvType === 'F32' ? 'f32' : 'f16', ...opts });
}

/** stories260K itself (F32) with f16 KV. */
export const STORIES = 'stories260K-F32-kvf16';

/** The largest |a − b| over two logit vectors. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Greedy decoding straight on the forward pass (argmax, the first index on a
 * tie, as llama.cpp's greedy sampler): n ids after the prompt, and the logits
 * of every position computed (prompt and each id fed back, the last id not fed).
 */
export async function greedy(s: Standalone, promptIds: readonly number[], n: number): Promise<{ ids: number[]; logits: Float32Array[] }> {
  const logits: Float32Array[] = [];
  const sink = (pos: number, l: Float32Array) => {
    logits[pos] = l;
  };
  let last = await s.engine.forward.run(promptIds, undefined, sink);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < last.length; j++) if (last[j] > last[best]) best = j;
    ids.push(best);
    if (i < n - 1) last = await s.engine.forward.run([best], undefined, sink);
  }
  return { ids, logits };
}
