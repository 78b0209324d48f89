/**
 * The offline reference for the benchmark: Belady's furthest-next-use rule
 * run over the actual, finite trace, with variable tensor sizes. Each step
 * needs all its tensors resident at once (a group is leased together); on a
 * miss it evicts, among residents not needed by the current step and not
 * pinned, the one whose next use is furthest away (never used again counts
 * as infinitely far; ties go to the larger tensor). With equal sizes this is
 * optimal; with variable sizes it is the standard greedy reference, not a
 * proven optimum. Plain byte accounting: no arena, no fragmentation.
 */
import { GgufPagerError } from '../errors.ts';

export interface OptimumInput {
  /** Tensor indices each step reads. */
  steps: ArrayLike<ArrayLike<number>>;
  /** Byte size of each tensor index. */
  sizes: ArrayLike<number>;
  budgetBytes: number;
  /** Tensor indices that, once loaded, are never evicted. */
  pinned?: ReadonlySet<number>;
}

export interface OptimumResult {
  bytesLoaded: number;
  /** Bytes loaded at each step. */
  loadedPerStep: Float64Array;
  hits: number;
  misses: number;
  evictions: number;
  maxResidentBytes: number;
}

/** For each (step, member), the next step that reads the same tensor, or Infinity. */
function nextOccurrences(steps: ArrayLike<ArrayLike<number>>, tensorCount: number): Float64Array[] {
  const upcoming = new Float64Array(tensorCount).fill(Infinity);
  const out: Float64Array[] = new Array(steps.length);
  for (let s = steps.length - 1; s >= 0; s--) {
    const m = steps[s];
    const row = new Float64Array(m.length);
    for (let i = 0; i < m.length; i++) row[i] = upcoming[m[i]];
    for (let i = 0; i < m.length; i++) upcoming[m[i]] = s;
    out[s] = row;
  }
  return out;
}

export function offlineOptimum(input: OptimumInput): OptimumResult {
  const { steps, sizes, budgetBytes } = input;
  const pinned = input.pinned ?? new Set<number>();
  const n = sizes.length;
  const next = nextOccurrences(steps, n);
  const nextUse = new Float64Array(n).fill(Infinity);
  const resident = new Uint8Array(n);
  const inStep = new Int32Array(n).fill(-1);
  const residents = new Set<number>();
  const r: OptimumResult = { bytesLoaded: 0, loadedPerStep: new Float64Array(steps.length), hits: 0, misses: 0, evictions: 0, maxResidentBytes: 0 };
  let used = 0;

  const pickVictim = (s: number): number => {
    let best = -1;
    for (const t of residents) {
      if (inStep[t] === s || pinned.has(t)) continue;
      if (best < 0 || nextUse[t] > nextUse[best] || (nextUse[t] === nextUse[best] && sizes[t] > sizes[best])) best = t;
    }
    return best;
  };

  for (let s = 0; s < steps.length; s++) {
    const m = steps[s];
    for (let i = 0; i < m.length; i++) inStep[m[i]] = s;
    for (let i = 0; i < m.length; i++) {
      const t = m[i];
      if (resident[t]) {
        r.hits++;
        continue;
      }
      if (sizes[t] > budgetBytes)
        throw new GgufPagerError('PAGER_TENSOR_TOO_LARGE', `offline optimum: tensor #${t} (${sizes[t]} bytes) exceeds the budget of ${budgetBytes} bytes`, {
          tensor: t,
          size: sizes[t],
          budgetBytes,
        });
      while (used + sizes[t] > budgetBytes) {
        const v = pickVictim(s);
        if (v < 0)
          throw new GgufPagerError('PAGER_NO_SPACE', `offline optimum: step ${s} needs more than the budget of ${budgetBytes} bytes`, { step: s, budgetBytes });
        resident[v] = 0;
        residents.delete(v);
        used -= sizes[v];
        r.evictions++;
      }
      resident[t] = 1;
      residents.add(t);
      used += sizes[t];
      r.misses++;
      r.bytesLoaded += sizes[t];
      r.loadedPerStep[s] += sizes[t];
      if (used > r.maxResidentBytes) r.maxResidentBytes = used;
    }
    const row = next[s];
    for (let i = 0; i < m.length; i++) nextUse[m[i]] = row[i];
  }
  return r;
}
