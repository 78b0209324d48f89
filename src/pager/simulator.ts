/**
 * Runs the real pager over a real arena on the forward-pass trace: for each
 * of `tokens` tokens, each group of the schedule is acquired together and
 * released before the next, as inference would. Bytes are counted where they
 * are read (a counting wrapper around the sources), per token.
 */
import { createCore } from '../core/core.ts';
import type { GgufModel } from '../gguf/types.ts';
import type { PagerSource, ReadOptions } from '../sources/source.ts';
import { LayerPager } from './layer-pager.ts';
import { pinnedSet, type EvictionKind, type OffloadPolicy } from './policy.ts';
import { forwardSchedule } from './schedule.ts';

/** Arena blocks start on 64-byte boundaries (assembly/common.ts ALIGN). */
export const ARENA_BLOCK_ALIGN = 64;

/** Counts the bytes and reads that go through a source. */
export class CountingSource implements PagerSource {
  bytesRead = 0;
  reads = 0;
  constructor(private readonly inner: PagerSource) {}
  get name(): string {
    return this.inner.name;
  }
  get size(): number {
    return this.inner.size;
  }
  get identity() {
    return this.inner.identity;
  }
  async readInto(offset: number, target: Uint8Array, opts?: ReadOptions): Promise<void> {
    this.reads++;
    await this.inner.readInto(offset, target, opts);
    this.bytesRead += target.length;
  }
}

export type PinsChoice = 'default' | 'none';

export interface SimulationOptions {
  model: GgufModel;
  /** One source per shard. */
  sources: PagerSource[];
  budgetBytes: number;
  eviction?: EvictionKind;
  /** `default`: embeddings, output head and output norm pinned; `none`: nothing pinned. */
  pins?: PinsChoice;
  prefetch?: number;
  tokens?: number;
}

export interface SimulationResult {
  modelBytes: number;
  budgetBytes: number;
  /** Arena capacity: the budget plus each tensor's round-up to a 64-byte block. */
  arenaBytes: number;
  pinnedBytes: number;
  policy: EvictionKind;
  pins: PinsChoice;
  prefetch: number;
  tokens: number;
  bytesLoaded: number;
  bytesLoadedFirstToken: number;
  /** Bytes loaded in tokens 2..T ÷ (T − 1); 0 when T = 1. */
  steadyBytesPerToken: number;
  hitRate: number;
  evictions: number;
  maxResidentBytes: number;
  /** Bytes read from the sources in each token. */
  perToken: number[];
}

/** The policy `simulate` runs with. */
export function simulationPolicy(budgetBytes: number, eviction: EvictionKind, pins: PinsChoice, prefetch: number): OffloadPolicy {
  const pin = pins === 'default';
  if (!pin && prefetch === 0) return { kind: 'budget', ramBytes: budgetBytes, eviction };
  return { kind: 'pinnedHotSet', ramBytes: budgetBytes, pinEmbeddings: pin, pinOutputHead: pin, pinLastNLayers: 0, prefetchNAhead: prefetch, eviction };
}

/** Arena bytes that hold `budgetBytes` of tensors whatever their 64-byte rounding. */
export function arenaBytesFor(budgetBytes: number, tensorCount: number): number {
  return Math.ceil(budgetBytes / ARENA_BLOCK_ALIGN) * ARENA_BLOCK_ALIGN + tensorCount * ARENA_BLOCK_ALIGN;
}

export async function simulate(o: SimulationOptions): Promise<SimulationResult> {
  const eviction = o.eviction ?? 'auto';
  const pins = o.pins ?? 'default';
  const prefetch = o.prefetch ?? 0;
  const tokens = o.tokens ?? 8;
  const { model } = o;
  const counted = o.sources.map((s) => new CountingSource(s));
  const read = () => counted.reduce((a, s) => a + s.bytesRead, 0);
  const arenaBytes = arenaBytesFor(o.budgetBytes, model.tensors.length);
  const maxBlocks = Math.min(65536, Math.max(1024, model.tensors.length + 64));
  const core = await createCore({ arenaBytes, maxBlocks });
  const pager = new LayerPager({
    arena: core.arena,
    sources: counted,
    model,
    policy: simulationPolicy(o.budgetBytes, eviction, pins, prefetch),
    waitTimeoutMs: 60_000,
  });
  try {
    const groups = pager.schedule.groups.map((g) => Array.from(g, (t) => model.tensors[t].name));
    const perToken: number[] = [];
    for (let k = 0; k < tokens; k++) {
      const before = read();
      for (const ids of groups) pager.release(await pager.acquireMany(ids));
      perToken.push(read() - before);
    }
    const s = pager.stats();
    const steady = perToken.slice(1);
    return {
      modelBytes: model.totalTensorBytes,
      budgetBytes: o.budgetBytes,
      arenaBytes,
      pinnedBytes: pager.pinnedBytes,
      policy: eviction,
      pins,
      prefetch,
      tokens,
      bytesLoaded: perToken.reduce((a, b) => a + b, 0),
      bytesLoadedFirstToken: perToken[0] ?? 0,
      steadyBytesPerToken: steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : 0,
      hitRate: s.hits + s.misses > 0 ? s.hits / (s.hits + s.misses) : 0,
      evictions: s.evictions,
      maxResidentBytes: s.maxResidentBytes,
      perToken,
    };
  } finally {
    pager.dispose();
  }
}

/** The smallest budget the trace runs in: the pinned set plus the largest group's unpinned bytes. */
export function minimumBudgetBytes(model: GgufModel, policy: OffloadPolicy): number {
  const pins = pinnedSet(model, policy);
  let pinned = 0;
  for (const t of model.tensors) if (pins.has(t.name)) pinned += t.size;
  let group = 0;
  for (const g of forwardSchedule(model).groups) {
    let sum = 0;
    for (const t of g) if (!pins.has(model.tensors[t].name)) sum += model.tensors[t].size;
    group = Math.max(group, sum);
  }
  return pinned + group;
}
