/**
 * The engine without the worker runtime: one core, one model, one pager, one
 * engine, in the calling thread. For Node (the CLI's `generate`, tests) and
 * for code that runs its own worker. The arena holds everything: weights
 * (paged under `ramBytes`, as in OffloadPolicy), KV pages and the engine's scratch.
 */
import { layerWindows } from './arch/types.ts';
import { defaultBatchSize } from './forward.ts';
import { KvCache } from './kv-cache.ts';
import { createCore, type Core, type CoreOptions } from '../core/core.ts';
import { GgufPagerError } from '../errors.ts';
import { parseGguf } from '../gguf/parse.ts';
import type { GgufModel } from '../gguf/types.ts';
import { LayerPager } from '../pager/layer-pager.ts';
import type { OffloadPolicy } from '../pager/policy.ts';
import type { PagerSource } from '../sources/source.ts';
import { architectureOf } from './architecture.ts';
import { ModelEngine } from './engine.ts';
import { readHParams } from './hparams.ts';

export interface StandaloneOptions {
  /** Weight bytes the pager may keep resident, the OffloadPolicy's `ramBytes` (default: the whole model). */
  ramBytes?: number;
  /**
   * The pager's policy (default: `budget` over ramBytes, no prefetch: the pager's prefetch wraps from
   * the last group to token_embd's and would page the whole table in, where the engine reads only rows).
   */
  policy?: OffloadPolicy;
  kvType?: 'f16' | 'f32';
  /** Tokens of context (default min(trained context, 2048)). */
  contextLength?: number;
  batchSize?: number;
  /** Elements per KV page (default 4096). */
  kvPageElems?: number;
  /** Compute threads (default 1; see createCore) and the pool's tuning. */
  threads?: CoreOptions['threads'];
  threadOptions?: CoreOptions['threadOptions'];
}

export interface Standalone {
  core: Core;
  model: GgufModel;
  pager: LayerPager;
  engine: ModelEngine;
  /** Bytes of the arena: ramBytes + KV pages + scratch (+ slack for alignment). */
  arenaBytes: number;
  dispose(): Promise<void>;
}

const DEFAULT_PAGE_ELEMS = 4096;
const SLACK = 1 << 20;

/** The options openStandalone knows: any other key is a mistake (an old name, a typo) and is refused, never ignored. */
const STANDALONE_OPTIONS: ReadonlySet<string> = new Set<keyof StandaloneOptions>([
  'ramBytes',
  'policy',
  'kvType',
  'contextLength',
  'batchSize',
  'kvPageElems',
  'threads',
  'threadOptions',
]);

export async function openStandalone(sources: PagerSource[], opts: StandaloneOptions = {}): Promise<Standalone> {
  const unknown = Object.keys(opts).find((k) => !STANDALONE_OPTIONS.has(k));
  if (unknown !== undefined) {
    throw new GgufPagerError('INVALID_ARGUMENT', `openStandalone: unknown option ${unknown} (it takes ${[...STANDALONE_OPTIONS].join(', ')})`, {
      option: unknown,
    });
  }
  const model = await parseGguf(sources.length > 1 ? sources : sources[0]);
  const label = sources[0].name;
  const arch = architectureOf(model, label);
  const hp = readHParams(model, arch);
  const contextLength = opts.contextLength ?? Math.min(hp.trainedContext, 2048);
  const kvType = opts.kvType ?? 'f16';
  const pageElems = opts.kvPageElems ?? DEFAULT_PAGE_ELEMS;
  const perPage = Math.floor(pageElems / (2 * hp.kvDim));
  if (perPage < 1) throw new GgufPagerError('INVALID_ARGUMENT', `${label}: a KV page of ${pageElems} elements cannot hold one token (kvDim ${hp.kvDim})`, {});
  // Global layers hold the context, sliding ones their ring; one layer's pages more: truncating or shifting the cache rebuilds a layer beside the others.
  const batch = opts.batchSize ?? defaultBatchSize(arch, hp);
  const need = KvCache.pagesFor(layerWindows(hp, arch), hp.nLayer, perPage, contextLength, batch);
  const pages = need.total + need.layer;
  const kvBytes = pages * Math.ceil((pageElems * (kvType === 'f16' ? 2 : 4)) / 64) * 64;
  const ramBytes = opts.ramBytes ?? model.totalTensorBytes;
  const scratchGuess = 4 * (batch * (6 * hp.nEmbd + 2 * hp.nFf + 4 * hp.nHead * hp.headDim) + hp.vocab + contextLength) + 4 * 2 ** 20;
  const arenaBytes = Math.ceil((ramBytes + kvBytes + scratchGuess + SLACK + model.tensors.length * 64) / 64) * 64;
  const core = await createCore({
    arenaBytes,
    kv: { pages, pageElems, dtype: kvType, maxSequences: hp.nLayer + 1 },
    threads: opts.threads,
    threadOptions: opts.threadOptions,
  });
  const policy: OffloadPolicy = opts.policy ?? { kind: 'budget', ramBytes };
  const pager = new LayerPager({ arena: core.arena, sources, model, policy });
  let engine: ModelEngine;
  try {
    engine = new ModelEngine(core, model, pager, sources, label, { contextLength, batchSize: opts.batchSize });
  } catch (e) {
    pager.dispose();
    throw e;
  }
  return {
    core,
    model,
    pager,
    engine,
    arenaBytes,
    async dispose() {
      engine.dispose();
      pager.dispose();
      core.threads.close();
    },
  };
}
