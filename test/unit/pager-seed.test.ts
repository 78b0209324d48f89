/** The seed's offload_pager.rs tests, same behaviour, on the real arena. */
import { describe, expect, it } from 'vitest';
import { expectedBytes } from '../cases/pager-model.ts';
import { pagerCase } from '../cases/pager-harness.ts';

const three = [
  { name: 'layer_0', size: 100 },
  { name: 'layer_1', size: 100 },
  { name: 'layer_2', size: 100 },
];

describe('LayerPager (ported seed tests)', () => {
  it('offload_budget_evicts_coldest: a third tensor under a two-tensor budget evicts the least recently used', async () => {
    const { pager } = await pagerCase({ specs: three, policy: { kind: 'budget', ramBytes: 200, eviction: 'lru' } });
    const t0 = await pager.acquire('layer_0');
    const t1 = await pager.acquire('layer_1');
    expect(pager.residentCount()).toBe(2);
    pager.release(t0);
    pager.release(t1);
    await pager.acquire('layer_2');
    expect(pager.stats().residentBytes).toBeLessThanOrEqual(200);
    expect(pager.isResident('layer_0')).toBe(false);
    expect(pager.isResident('layer_1')).toBe(true);
  });

  it('offload_pinned_never_evicted: a pinned tensor stays while another needs its room', async () => {
    const { pager } = await pagerCase({
      specs: [
        { name: 'token_embd.weight', size: 100 },
        { name: 'blk.0.a', size: 100 },
      ],
      policy: { kind: 'pinnedHotSet', ramBytes: 200, pinEmbeddings: true, pinOutputHead: false, pinLastNLayers: 0, prefetchNAhead: 0 },
    });
    pager.release(await pager.acquire('token_embd.weight'));
    pager.release(await pager.acquire('blk.0.a'));
    expect(pager.isResident('token_embd.weight')).toBe(true);
  });

  it('offload_acquire_reads_correct_bytes: the lease holds the file bytes at the tensor offset', async () => {
    const { pager, built } = await pagerCase({
      specs: [
        { name: 'pad', size: 128 },
        { name: 't0', size: 64 },
      ],
    });
    const lease = await pager.acquire('t0');
    expect(lease.length).toBe(64);
    expect(lease.bytes()).toEqual(expectedBytes(built, 't0'));
  });

  it('offload_unknown_tensor_returns_error: PAGER_UNKNOWN_TENSOR naming the tensor', async () => {
    const { pager } = await pagerCase({ specs: [{ name: 't0', size: 10 }] });
    await expect(pager.acquire('nonexistent')).rejects.toMatchObject({ code: 'PAGER_UNKNOWN_TENSOR', message: expect.stringContaining('nonexistent') });
  });

  it('offload_double_acquire_returns_same_bytes: two leases on one tensor see the same block', async () => {
    const { pager, built } = await pagerCase({
      specs: [
        { name: 'pad', size: 64 },
        { name: 't0', size: 32 },
      ],
    });
    const a = await pager.acquire('t0');
    const b = await pager.acquire('t0');
    expect(b.ptr).toBe(a.ptr);
    expect(b.bytes()).toEqual(a.bytes());
    expect(a.bytes()).toEqual(expectedBytes(built, 't0'));
  });

  it('offload_resident_count_tracks_evictions', async () => {
    const { pager } = await pagerCase({
      specs: [
        { name: 'a', size: 50 },
        { name: 'b', size: 50 },
        { name: 'c', size: 50 },
      ],
      budget: 100,
    });
    expect(pager.residentCount()).toBe(0);
    pager.release(await pager.acquire('a'));
    expect(pager.residentCount()).toBe(1);
    pager.release(await pager.acquire('b'));
    expect(pager.residentCount()).toBe(2);
    pager.release(await pager.acquire('c'));
    expect(pager.residentCount()).toBe(2);
    expect(pager.stats().residentBytes).toBeLessThanOrEqual(100);
  });

  it('offload_is_pinned_reflects_set', async () => {
    const { pager } = await pagerCase({
      specs: [
        { name: 'token_embd.weight', size: 10 },
        { name: 'b', size: 10 },
      ],
      policy: { kind: 'pinnedHotSet', ramBytes: 1000, pinEmbeddings: true, pinOutputHead: false, pinLastNLayers: 0, prefetchNAhead: 0 },
    });
    expect(pager.isPinned('token_embd.weight')).toBe(true);
    expect(pager.isPinned('b')).toBe(false);
  });

  it('offload_budget_strictly_respected: one-tensor budget, four tensors in turn', async () => {
    const { pager } = await pagerCase({ specs: ['t0', 't1', 't2', 't3'].map((name) => ({ name, size: 50 })), budget: 50 });
    for (const name of ['t0', 't1', 't2', 't3']) {
      pager.release(await pager.acquire(name));
      expect(pager.stats().residentBytes, `after ${name}`).toBeLessThanOrEqual(50);
      expect(pager.stats().maxResidentBytes).toBeLessThanOrEqual(50);
    }
  });

  it('tensor_id_display: a tensor id is its GGUF name and displays as itself', async () => {
    const { pager } = await pagerCase({ specs: [{ name: 'blk.0.attn_q.weight', size: 16 }] });
    const lease = await pager.acquire('blk.0.attn_q.weight');
    expect(lease.id).toBe('blk.0.attn_q.weight');
    expect(String(lease)).toBe('blk.0.attn_q.weight');
  });
});
