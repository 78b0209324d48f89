/**
 * Refuses at load a model whose largest paged tensor can never fit beside
 * what generation keeps in the arena (the engine's scratch and the pinned
 * tensors): `PAGER_TENSOR_TOO_LARGE`, naming the tensor and the budget that
 * would do. Without it such a load downloads the whole file and fails only at
 * the first `pagingDryRun`, `readTensor` or `generate`.
 *
 * For a URL the check runs on the header alone, before anything is cached
 * (open-sources.ts): a dry pager and forward pass over the remotes (nothing
 * read) are measured and disposed at once.
 */
import type { Core } from '../core/core.ts';
import { GgufPagerError } from '../errors.ts';
import type { GgufModel } from '../gguf/types.ts';
import { pinnedSet, type OffloadPolicy } from '../pager/policy.ts';
import type { PagerSource } from '../sources/source.ts';
import type { EngineLoadOptions } from './loaded-model.ts';
import { LayerPager } from '../pager/layer-pager.ts';
import { Forward } from '../engine/forward.ts';

/** Arena bytes a block may take beyond its size (headers, alignment), added to the budget named in the error. */
const ARENA_SLACK = 64 << 10;

/**
 * Builds the pager and the engine's forward pass over `sources` as a load
 * would (without the tokenizer: building one can take half a second), checks
 * that the model fits, and disposes them. Nothing is read from `sources`.
 */
export async function checkFitsDry(
  core: Core,
  runtimeBudget: number,
  model: GgufModel,
  sources: PagerSource[],
  label: string,
  policy: OffloadPolicy,
  engineOpts: EngineLoadOptions,
): Promise<void> {
  const pager = new LayerPager({ arena: core.arena, sources, model, policy });
  const usedBefore = core.arena.stats().used;
  let forward: Forward | undefined;
  try {
    forward = new Forward(core, model, pager, sources, label, { contextLength: engineOpts.contextLength, batchSize: engineOpts.batchSize });
  } catch {
    // No engine for this model (or none fits): it loads to be read, not to generate, as LoadedModel decides.
  }
  const scratch = core.arena.stats().used - usedBefore;
  try {
    checkFits(core, runtimeBudget, pager, model, policy, scratch, label, forward?.unleasedTensors);
  } finally {
    forward?.dispose();
    pager.dispose();
  }
}

/** Throws PAGER_TENSOR_TOO_LARGE when the largest tensor the pager pages cannot fit next to `scratch` bytes and the pins. */
export function checkFits(
  core: Core,
  runtimeBudget: number,
  pager: LayerPager,
  model: GgufModel,
  policy: OffloadPolicy,
  scratch: number,
  label: string,
  unleased: ReadonlySet<string> = new Set(),
): void {
  const pins = pinnedSet(model, policy);
  let largest: { name: string; size: number } | undefined;
  for (const t of model.tensors) {
    if (!pins.has(t.name) && !unleased.has(t.name) && t.size > (largest?.size ?? -1)) largest = { name: t.name, size: t.size };
  }
  if (!largest) return;
  const { budgetBytes, pinnedBytes } = pager;
  const room = Math.min(budgetBytes, core.arena.capacity - scratch) - pinnedBytes;
  if (largest.size <= room) return;
  const policyLimited = budgetBytes < core.arena.capacity - scratch;
  const wouldDo = policyLimited
    ? largest.size + pinnedBytes
    : largest.size + pinnedBytes + scratch + ARENA_SLACK + Math.max(0, runtimeBudget - core.arena.capacity);
  const fix = policyLimited ? `a policy ramBytes of at least ${wouldDo}` : `a runtime budget of at least ${wouldDo} bytes`;
  throw new GgufPagerError(
    'PAGER_TENSOR_TOO_LARGE',
    `${label}: tensor ${largest.name} (${largest.size} bytes) can never fit: ${room} bytes are left for paged tensors ` +
      `(budget ${budgetBytes}, ${pinnedBytes} pinned, ${scratch} of engine scratch); ${fix} would do`,
    { tensor: largest.name, size: largest.size, budgetBytes, pinnedBytes, scratchBytes: scratch, neededBudget: wouldDo, policyLimited },
  );
}
