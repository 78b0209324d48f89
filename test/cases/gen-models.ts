/**
 * stories260K and its re-encodings (src/gguf/reencode.ts, made in memory as the
 * references were made from files), the llama.cpp references recorded by
 * scripts/gen-reference.mjs, and a standalone engine over them.
 */
import { readFileSync } from 'node:fs';
import { openStandalone, type Standalone, type StandaloneOptions } from '../../src/engine/standalone.ts';
import { planBytes } from '../../src/gguf/model-plan.ts';
import { reencodeGguf } from '../../src/gguf/reencode.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { fixturePath, REPO_ROOT } from './fixtures-dir.ts';

export type StoriesType = 'F32' | 'F16' | 'Q8_0' | 'Q4_0';

export interface LlamaReference {
  prompt: string;
  promptIds: number[];
  greedy: number[];
  text: string;
  /** Logits at every position (prompt, then each generated token fed back), rounded to 1e-4. Only in the f16-KV files. */
  logits?: number[][];
}

export function reference(type: StoriesType, kv: 'f16' | 'f32'): LlamaReference {
  return JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/gen/stories260K-${type}-${kv}kv.json`, 'utf8')) as LlamaReference;
}

const cache = new Map<StoriesType, Promise<Uint8Array>>();

export function storiesBytes(type: StoriesType): Promise<Uint8Array> {
  let p = cache.get(type);
  if (!p) {
    const f32 = new Uint8Array(readFileSync(fixturePath('models/stories260K.gguf')));
    p = type === 'F32' ? Promise.resolve(f32) : reencodeGguf(f32, type, 'stories260K.gguf').then(planBytes);
    cache.set(type, p);
  }
  return p;
}

export async function openStories(type: StoriesType, opts: StandaloneOptions = {}): Promise<Standalone> {
  return openStandalone([new MemorySource(await storiesBytes(type), `stories260K-${type}.gguf`)], opts);
}

/** The largest |a − b| over two logit vectors. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
