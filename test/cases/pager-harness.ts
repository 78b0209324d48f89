/**
 * Builds a real LayerPager for a test: a Wasm core whose arena holds the
 * budget (plus the 64-byte rounding of each block), a TestSource over the
 * model's bytes, and a policy (a plain budget unless given).
 */
import { createCore, type Core } from '../../src/core/core.ts';
import { LayerPager } from '../../src/pager/layer-pager.ts';
import type { Lease } from '../../src/pager/lease.ts';
import type { OffloadPolicy } from '../../src/pager/policy.ts';
import { buildModel, expectedBytes, type BuiltModel, type TensorSpec } from './pager-model.ts';
import { TestSource, type TestSourceOptions } from './pager-source.ts';

export const BLOCK_ALIGN = 64;

export interface PagerCase {
  pager: LayerPager;
  core: Core;
  source: TestSource;
  built: BuiltModel;
  /** Throws unless the lease's bytes equal the file's bytes for that tensor. */
  verify(lease: Lease): void;
}

export interface PagerCaseOptions {
  built?: BuiltModel;
  specs?: TensorSpec[];
  /** Policy budget in bytes (ignored when `policy` is given). */
  budget?: number;
  policy?: OffloadPolicy;
  /** Arena capacity; default: the budget plus 64 bytes of rounding per tensor. */
  arenaBytes?: number;
  source?: TestSourceOptions;
  waitTimeoutMs?: number;
}

/** Arena bytes that hold `budget` bytes of tensors whatever their rounding. */
export function arenaFor(budget: number, tensorCount: number): number {
  return Math.ceil(budget / BLOCK_ALIGN) * BLOCK_ALIGN + tensorCount * BLOCK_ALIGN;
}

export async function pagerCase(o: PagerCaseOptions): Promise<PagerCase> {
  const built = o.built ?? buildModel(o.specs ?? []);
  const source = new TestSource(built.bytes, o.source);
  const budget = o.budget ?? built.model.totalTensorBytes;
  const policy: OffloadPolicy = o.policy ?? { kind: 'budget', ramBytes: budget };
  const core = await createCore({ arenaBytes: o.arenaBytes ?? arenaFor(budget, built.model.tensors.length) });
  const pager = new LayerPager({ arena: core.arena, sources: [source], model: built.model, policy, waitTimeoutMs: o.waitTimeoutMs });
  const verify = (lease: Lease) => {
    const want = expectedBytes(built, lease.id);
    const got = lease.bytes();
    if (got.length !== want.length || got.some((b, i) => b !== want[i])) throw new Error(`bytes of ${lease.id} differ from the file`);
  };
  return { pager, core, source, built, verify };
}

/** Resolves after pending reads and their continuations ran. */
export function settle(ms = 5): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once the pager has no load in flight (background prefetches included); fails after 5 s. */
export async function loadsDone(pager: LayerPager): Promise<void> {
  const t0 = Date.now();
  while (pager.stats().loadsInFlight > 0) {
    if (Date.now() - t0 > 5000) throw new Error('loads still in flight after 5 s');
    await settle(1);
  }
}
