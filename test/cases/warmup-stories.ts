/**
 * stories260K (the shared fixture) opened in this thread with a real pager and
 * engine, and the pager adapted to warm-up as the runtime adapts it.
 */
import { readFileSync } from 'node:fs';
import { openStandalone, type Standalone } from '../../src/engine/standalone.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import type { OffloadPolicy } from '../../src/pager/policy.ts';
import { pagerWarmupTarget, type WarmupTarget } from '../../src/runtime/warmup.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { fixturePath } from './fixtures-dir.ts';

let bytes: Uint8Array | undefined;

export interface WarmupStories extends Standalone {
  target: WarmupTarget;
}

/** stories260K under `policy` (a function of its total tensor bytes); dispose it after the test. */
export async function warmupStories(policy: (totalBytes: number) => OffloadPolicy): Promise<WarmupStories> {
  bytes ??= new Uint8Array(readFileSync(fixturePath('models/stories260K.gguf')));
  const p = policy((await parseGguf(new MemorySource(bytes, 'stories260K.gguf'))).totalTensorBytes);
  const s = await openStandalone([new MemorySource(bytes, 'stories260K.gguf')], { policy: p, kvType: 'f32', contextLength: 64 });
  return { ...s, target: pagerWarmupTarget(s.pager, s.model, p) };
}

/** The policy that pins embeddings and output head and loads `prefetchNAhead` groups ahead, under `ramBytes`. */
export const hotSet = (ramBytes: number, prefetchNAhead: number, eviction: 'auto' | 'lru' = 'auto'): OffloadPolicy => ({
  kind: 'pinnedHotSet',
  ramBytes,
  pinEmbeddings: true,
  pinOutputHead: true,
  pinLastNLayers: 0,
  prefetchNAhead,
  eviction,
});
