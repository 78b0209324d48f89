/** Warm-up without an engine, on stories260K with the real pager: the pinned set, the first window, one pass over every group. */
import { afterEach, describe, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { ModelWarmup, needsWarmup, type WarmupTarget } from '../../src/runtime/warmup.ts';
import { hotSet, warmupStories, type WarmupStories } from '../cases/warmup-stories.ts';

const open: WarmupStories[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.dispose();
});
const stories = async (...a: Parameters<typeof warmupStories>) => {
  const s = await warmupStories(...a);
  open.push(s);
  return s;
};

/** The real target, with every call it receives recorded in order. */
function recorded(target: WarmupTarget): WarmupTarget & { calls: string[] } {
  const calls: string[] = [];
  return {
    ...target,
    calls,
    loadPinned: () => {
      calls.push('loadPinned');
      return target.loadPinned();
    },
    prefetch: (ids) => {
      calls.push(`prefetch ${ids.join(' ')}`);
      return target.prefetch(ids);
    },
    acquireMany: async (ids) => {
      calls.push(`acquire ${ids.join(' ')}`);
      const l = await target.acquireMany(ids);
      return {
        release: () => {
          calls.push(`release ${ids.join(' ')}`);
          l.release();
        },
      };
    },
  };
}

describe('ModelWarmup without an engine', () => {
  it('loads the pinned set, prefetches the first window, then acquires every group in forward order', async () => {
    const s = await stories((total) => hotSet(total, 2));
    const target = recorded(s.target);
    const groups = target.schedule();
    let t = 0;
    const result = await new ModelWarmup({ now: () => (t += 5) }).run(target);
    expect(target.calls).toEqual([
      'loadPinned',
      `prefetch ${[...new Set(groups.slice(0, 2).flat())].join(' ')}`,
      ...groups.flatMap((g) => [`acquire ${g.join(' ')}`, `release ${g.join(' ')}`]),
    ]);
    expect(result).toEqual({ elapsedMs: 5, tensorsLoaded: s.model.tensors.length, bytesLoaded: s.model.totalTensorBytes, generatedTokens: 0 });
    expect(s.model.tensors.every((x) => s.pager.isResident(x.name))).toBe(true);
  });

  it('counts only what this run loaded', async () => {
    const s = await stories((total) => hotSet(total, 1));
    const first = s.model.tensors.find((x) => x.name.startsWith('blk.0.'))!;
    await s.pager.prefetch([first.name]);
    const result = await new ModelWarmup().run(s.target);
    expect(result.tensorsLoaded).toBe(s.model.tensors.length - 1);
    expect(result.bytesLoaded).toBe(s.model.totalTensorBytes - first.size);
  });

  it('makes no prefetch call when prefetchNAhead is 0', async () => {
    const s = await stories((total) => ({ kind: 'budget', ramBytes: total }));
    const target = recorded(s.target);
    await new ModelWarmup().run(target);
    expect(target.calls.some((c) => c.startsWith('prefetch'))).toBe(false);
    expect(target.calls[0]).toBe('loadPinned');
    expect(s.pager.stats().prefetches).toBe(0);
  });

  it('refuses a prefetchNAhead that is not a count', async () => {
    const s = await stories((total) => hotSet(total, 1));
    const err = await new ModelWarmup().run({ ...s.target, prefetchNAhead: -1 }).catch((e: unknown) => e);
    expect(isGgufPagerError(err, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('needsWarmup', () => {
  it('says yes before a run and no after it', async () => {
    const s = await stories((total) => hotSet(total, 2));
    expect(needsWarmup(s.target)).toBe(true);
    await new ModelWarmup().run(s.target);
    expect(needsWarmup(s.target)).toBe(false);
    expect(ModelWarmup.needsWarmup(s.target)).toBe(false);
  });

  it('says yes when every tensor is resident but no run has happened', async () => {
    const s = await stories((total) => hotSet(total, 2));
    await s.pager.prefetch(s.model.tensors.map((x) => x.name));
    expect(s.model.tensors.every((x) => s.pager.isResident(x.name))).toBe(true);
    expect(needsWarmup(s.target)).toBe(true);
  });

  it('says yes again once tensors of the first window left the arena (here: the pager was disposed)', async () => {
    const s = await stories((total) => hotSet(total, 2));
    await new ModelWarmup().run(s.target);
    s.pager.dispose();
    const window = [...new Set(s.target.schedule().slice(0, 2).flat())];
    expect(window.some((id) => !s.pager.isResident(id))).toBe(true);
    expect(needsWarmup(s.target)).toBe(true);
  });

  it('stays yes when the run fails', async () => {
    const s = await stories((total) => hotSet(total, 2));
    s.pager.dispose();
    const err = await new ModelWarmup().run(s.target).catch((e: unknown) => e);
    expect(isGgufPagerError(err, 'PAGER_DISPOSED'), String(err)).toBe(true);
    expect(needsWarmup(s.target)).toBe(true);
  });
});
