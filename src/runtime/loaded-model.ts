/**
 * One loaded model inside the worker: its GGUF index, its sources and its
 * LayerPager over the shared arena. Builds the info table the page shows,
 * drives forward passes for the demo, and adapts the pager to warm-up.
 */
import { GgufPagerError } from '../core/errors.ts';
import type { Arena } from '../core/arena.ts';
import type { GgufModel, GgufValue } from '../gguf/types.ts';
import { LayerPager } from '../pager/layer-pager.ts';
import { blockCount, blockIndexOf, pinnedSet, prefetchAhead, type OffloadPolicy } from '../pager/policy.ts';
import type { OpenedSources } from './open-sources.ts';
import type { SourceRef } from './source-pool.ts';
import type { ModelInfo, ModelStats, RunOptions, RunSample, TensorRow } from './protocol.ts';
import type { WarmupTarget } from './warmup.ts';

/** Metadata arrays longer than this are cut in `info` (a vocabulary is 32 000+ strings). */
export const INFO_ARRAY_ITEMS = 64;

export class LoadedModel {
  readonly pager: LayerPager;
  readonly info: ModelInfo;
  readonly opened: OpenedSources;

  constructor(
    readonly id: number,
    readonly model: GgufModel,
    private readonly sources: SourceRef,
    arena: Arena,
    readonly policy: OffloadPolicy,
  ) {
    this.opened = sources.opened;
    this.pager = new LayerPager({ arena, sources: this.opened.sources, model, policy });
    this.info = this.describe();
  }

  private describe(): ModelInfo {
    const { model, policy } = this;
    const pins = pinnedSet(model, policy);
    const metadata: Array<[string, GgufValue]> = [];
    const truncated: Record<string, number> = {};
    for (const [k, v] of model.metadata) {
      if (Array.isArray(v) && v.length > INFO_ARRAY_ITEMS) {
        metadata.push([k, v.slice(0, INFO_ARRAY_ITEMS)]);
        truncated[k] = v.length - INFO_ARRAY_ITEMS;
      } else metadata.push([k, v]);
    }
    const tensors: TensorRow[] = model.tensors.map((t) => ({
      name: t.name, type: t.typeName, dims: t.dims, offset: t.offset, size: t.size, shard: t.shard,
      block: blockIndexOf(t.name), pinned: pins.has(t.name),
    }));
    const arch = model.metadata.get('general.architecture');
    return {
      id: this.id, source: this.opened.label, version: model.version,
      architecture: typeof arch === 'string' ? arch : 'unknown', blockCount: blockCount(model),
      totalBytes: model.totalTensorBytes, fileSize: model.shards.reduce((a, s) => a + s.fileSize, 0),
      metadata, truncated, tensors, pinnedBytes: this.pager.pinnedBytes, budgetBytes: this.pager.budgetBytes, policy,
    };
  }

  stats(): ModelStats {
    return { ...this.pager.stats(), ...this.opened.traffic(), id: this.id };
  }

  /** Tensor names of each forward-pass group, in order. */
  groups(): string[][] {
    return this.pager.schedule.groups.map((g) => Array.from(g, (t) => this.model.tensors[t].name));
  }

  /** Loads tensors by name, or whole blocks by index, ahead of use. */
  async prefetch(what: Array<string | number>): Promise<void> {
    const ids: string[] = [];
    for (const w of what) {
      if (typeof w === 'string') ids.push(w);
      else {
        const g = this.pager.schedule.groupOfBlock(w);
        if (g < 0) throw new GgufPagerError('INVALID_ARGUMENT', `${this.opened.label}: no block ${w}`, { block: w });
        for (const t of this.pager.schedule.groups[g]) ids.push(this.model.tensors[t].name);
      }
    }
    await this.pager.prefetch(ids);
  }

  /** A copy of one tensor's bytes (the lease ends before this returns). */
  async readTensor(name: string): Promise<Uint8Array> {
    const lease = await this.pager.acquire(name);
    try {
      return lease.bytes().slice();
    } finally {
      this.pager.release(lease);
    }
  }

  /**
   * Acquires and releases every group in forward order, `tokens` times, sampling
   * stats as it goes. Samples are sent without waiting (across the worker they
   * travel on a channel of their own); the run ends after all were delivered.
   */
  async run(opts: RunOptions, onSample?: (s: RunSample) => void | Promise<void>): Promise<ModelStats> {
    const groups = this.groups();
    const every = Math.max(1, opts.sampleEvery ?? 1);
    const delivered: Array<void | Promise<void>> = [];
    for (let token = 0; token < opts.tokens; token++) {
      for (let g = 0; g < groups.length; g++) {
        const lease = await this.pager.acquireMany(groups[g]);
        this.pager.release(lease);
        if (onSample && (g % every === 0 || g === groups.length - 1)) {
          const s = this.pager.stats();
          delivered.push(onSample({ token, group: g, residentBytes: s.residentBytes + s.loadingBytes, hits: s.hits, misses: s.misses, bytesLoaded: s.bytesLoaded }));
        }
      }
    }
    await Promise.all(delivered);
    return this.stats();
  }

  /** The pager as warm-up sees it. */
  warmupTarget(): WarmupTarget {
    const pager = this.pager;
    const pins = [...pinnedSet(this.model, this.policy)];
    return {
      loadPinned: () => pager.loadPinned(),
      prefetch: (ids) => pager.prefetch(ids),
      schedule: () => this.groups(),
      acquireMany: async (ids) => {
        const group = await pager.acquireMany(ids);
        return { release: () => pager.release(group) };
      },
      // Warm-up counts loads: misses, and the loads prefetch started ahead of use.
      stats: () => {
        const s = pager.stats();
        return { bytesLoaded: s.bytesLoaded, misses: s.misses + s.prefetches };
      },
      prefetchNAhead: prefetchAhead(this.policy),
      pinnedIds: () => pins,
      isResident: (id) => pager.isResident(id),
    };
  }

  async dispose(): Promise<void> {
    this.pager.dispose();
    await this.sources.release();
  }
}
