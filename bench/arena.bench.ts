/**
 * Arena benchmark (npm run bench:arena).
 *
 * Workload: the tensors of a 7B-class Q4_K_M GGUF scaled down 4× per dimension
 * (n_embd 1024, n_ff 2752, vocab 8000, 32 blocks; attn_v and ffn_down in Q6_K
 * on even blocks as Q4_K_M does, Q4_K elsewhere, f32 norms), ~255 MB in all.
 * The arena holds 30 % of it. token_embd, output and output_norm stay pinned;
 * the blocks are loaded in forward order for many cycles, as a pager does for
 * every token: a miss allocates, and while nothing fits it evicts the resident
 * tensor used furthest in the future; a layer's tensors are pinned while in
 * use, and now and then a random resident tensor stays pinned a few layers
 * longer (a lease held, a prefetch in flight).
 *
 * Prints, for five limits on what one allocation may move (Arena.tryAlloc's
 * maxMoveBytes): utilisation before the first failed allocation, utilisation
 * at steady state (target ≥ 0.95 of capacity usable), the worst largest-free /
 * free ratio, compactions and bytes moved per cycle; then alloc+free
 * throughput against `new Uint8Array(size)` (the named baseline, same run,
 * medians of several runs), plus the hit path (pin + ptr + unpin) against Map.get.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Arena, Handle } from '../src/core/arena.ts';
import { createCore } from '../src/core/core.ts';
import { prng } from '../test/cases/prng.ts';
import { SMOKE, sized } from './smoke.ts';

const LAYERS = sized(32, 4);
const N_EMBD = 1024;
const N_FF = 2752;
const VOCAB = 8000;
const CAPACITY_FRACTION = 0.3;
const CYCLES = sized(40, 3);
const HOLD_PROBABILITY = 0.08; // per layer step: keep one random resident tensor pinned longer
const RUNS = sized(7, 1);
const MiB = 1024 * 1024;

const q4k = (elems: number): number => (elems / 256) * 144;
const q6k = (elems: number): number => (elems / 256) * 210;
const f32 = (elems: number): number => elems * 4;

interface Tensor {
  name: string;
  layer: number;
  size: number;
}

function model(): { pinned: Tensor[]; layers: Tensor[][] } {
  const pinned = [
    { name: 'token_embd.weight', layer: -1, size: q4k(VOCAB * N_EMBD) },
    { name: 'output.weight', layer: -1, size: q6k(VOCAB * N_EMBD) },
    { name: 'output_norm.weight', layer: -1, size: f32(N_EMBD) },
  ];
  const layers = Array.from({ length: LAYERS }, (_, i) => {
    const more = i % 2 === 0 ? q6k : q4k;
    const t = (name: string, size: number): Tensor => ({ name: `blk.${i}.${name}`, layer: i, size });
    return [
      t('attn_norm.weight', f32(N_EMBD)),
      t('attn_q.weight', q4k(N_EMBD * N_EMBD)),
      t('attn_k.weight', q4k(N_EMBD * N_EMBD)),
      t('attn_v.weight', more(N_EMBD * N_EMBD)),
      t('attn_output.weight', q4k(N_EMBD * N_EMBD)),
      t('ffn_norm.weight', f32(N_EMBD)),
      t('ffn_gate.weight', q4k(N_EMBD * N_FF)),
      t('ffn_up.weight', q4k(N_EMBD * N_FF)),
      t('ffn_down.weight', more(N_EMBD * N_FF)),
    ];
  });
  return { pinned, layers };
}

interface Workload {
  firstFailUtil: number;
  failUtils: number[];
  loadUtils: number[];
  worstLargestRatio: number;
  pinSplitFailures: number;
  stalls: number;
  compactionsPerCycle: number;
  movedPerCycle: number;
  loadedPerCycle: number;
  capacity: number;
  total: number;
}

class PagerSim {
  readonly resident = new Map<Tensor, Handle>();
  readonly held = new Map<Tensor, number>(); // tensor → layer step when its extra pin ends
  failUtils: number[] = [];
  loadUtils: number[] = [];
  worstRatio = 1;
  pinSplitFailures = 0;
  stalls = 0;
  loaded = 0;
  firstFailUtil = 0;

  constructor(
    readonly arena: Arena,
    readonly moveLimit: (size: number) => number,
  ) {}

  /**
   * Allocate, evicting furthest-next-use victims while nothing fits (moving at
   * most moveLimit(size) bytes to compact); when every victim is gone, one
   * last try may move any amount (unless the policy never moves). 0 if it
   * still does not fit (a stall: what is left is pinned).
   */
  load(t: Tensor, now: number, evict: boolean): Handle {
    for (let limit = this.moveLimit(t.size); ; ) {
      const h = this.arena.tryAlloc(t.size, limit);
      const s = this.arena.stats();
      if (h !== 0) {
        this.resident.set(t, h);
        this.loaded += t.size;
        this.sample();
        this.loadUtils.push(this.arena.stats().used / s.capacity);
        return h;
      }
      if (this.firstFailUtil === 0) this.firstFailUtil = s.used / s.capacity;
      if (!evict) return 0;
      this.failUtils.push(s.used / s.capacity);
      if (s.free >= t.size) this.pinSplitFailures++;
      const victim = this.victim(now);
      if (victim === undefined) {
        if (limit > 0 && limit !== Infinity) {
          limit = Infinity;
          continue;
        } // last resort: move what it takes
        this.stalls++;
        return 0;
      }
      this.arena.free(this.resident.get(victim)!);
      this.resident.delete(victim);
      this.sample();
    }
  }

  /** The unpinned resident tensor whose next use (in forward order) is furthest from layer `now`. */
  victim(now: number): Tensor | undefined {
    let best: Tensor | undefined;
    let bestDist = -1;
    for (const [t, h] of this.resident) {
      if (t.layer < 0 || this.arena.pins(h) > 0) continue;
      const dist = (t.layer - now + LAYERS) % LAYERS;
      if (dist > bestDist) {
        best = t;
        bestDist = dist;
      }
    }
    return best;
  }

  sample(): void {
    const s = this.arena.stats();
    if (s.free >= MiB) this.worstRatio = Math.min(this.worstRatio, s.largestFree / s.free);
  }
}

function runWorkload(arena: Arena, m: ReturnType<typeof model>, total: number, moveLimit: (size: number) => number): Workload {
  const sim = new PagerSim(arena, moveLimit);
  for (const t of m.pinned) arena.pin(sim.load(t, 0, false));
  // fill: forward order, no eviction, until the first allocation fails
  fill: for (const layer of m.layers) for (const t of layer) if (sim.load(t, 0, false) === 0) break fill;
  const rnd = prng(42);
  const before = arena.stats();
  sim.loaded = 0;
  let step = 0;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    for (let i = 0; i < LAYERS; i++, step++) {
      const leases: Handle[] = [];
      for (const t of m.layers[i]!) {
        const h = sim.resident.get(t) ?? sim.load(t, i, true);
        if (h === 0) continue;
        arena.pin(h);
        leases.push(h);
      }
      for (const h of leases) arena.unpin(h);
      releaseHeld(sim, step);
      if (rnd() < HOLD_PROBABILITY) holdRandom(sim, rnd, step);
    }
  }
  const after = arena.stats();
  return {
    firstFailUtil: sim.firstFailUtil,
    failUtils: sim.failUtils,
    loadUtils: sim.loadUtils,
    worstLargestRatio: sim.worstRatio,
    pinSplitFailures: sim.pinSplitFailures,
    stalls: sim.stalls,
    capacity: after.capacity,
    total,
    compactionsPerCycle: (after.compactions - before.compactions) / CYCLES,
    movedPerCycle: (after.bytesMoved - before.bytesMoved) / CYCLES,
    loadedPerCycle: sim.loaded / CYCLES,
  };
}

function holdRandom(sim: PagerSim, rnd: () => number, step: number): void {
  const candidates = [...sim.resident.keys()].filter((t) => t.layer >= 0 && !sim.held.has(t));
  const t = candidates[Math.floor(rnd() * candidates.length)];
  if (t === undefined) return;
  sim.arena.pin(sim.resident.get(t)!);
  sim.held.set(t, step + 1 + Math.floor(rnd() * 4));
}

function releaseHeld(sim: PagerSim, step: number): void {
  for (const [t, until] of sim.held) {
    if (until > step) continue;
    sim.arena.unpin(sim.resident.get(t)!);
    sim.held.delete(t);
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN;

/** ns per op of `body(i)` over `n` ops. */
function timeOps(n: number, body: (i: number) => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) body(i);
  return ((performance.now() - t0) * 1e6) / n;
}

async function throughput(sizes: number[], label: string): Promise<{ arenaNs: number; baselineNs: number }> {
  const core = await createCore({ arenaBytes: 64 * MiB });
  const arena = core.arena;
  const ballast = sizes.slice(0, 8).map((s) => arena.alloc(s)); // a few live blocks around the churn
  let sink = 0;
  const arenaOp = (i: number): void => {
    const h = arena.alloc(sizes[i % sizes.length]!);
    sink += h;
    arena.free(h);
  };
  const baselineOp = (i: number): void => {
    const a = new Uint8Array(sizes[i % sizes.length]!);
    sink += a.length;
  };
  const n = sized(Math.max(200, Math.min(20000, Math.floor(4e8 / mean(sizes)))), 50);
  timeOps(n, arenaOp);
  timeOps(n, baselineOp);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    a.push(timeOps(n, arenaOp));
    b.push(timeOps(n, baselineOp));
  }
  ballast.forEach((h) => arena.free(h));
  if (sink === 0.5) console.log(label); // keeps `sink` observable
  return { arenaNs: median(a), baselineNs: median(b) };
}

async function hitPath(): Promise<{ pinNs: number; mapNs: number }> {
  const { arena } = await createCore({ arenaBytes: 16 * MiB });
  const handles = Array.from({ length: 300 }, () => arena.alloc(4096));
  const map = new Map(handles.map((h, i) => [`blk.${i >> 3}.t${i & 7}.weight`, h]));
  const keys = [...map.keys()];
  let sink = 0;
  const n = sized(1_000_000, 10_000);
  const pinOp = (i: number): void => {
    const h = handles[i % handles.length]!;
    arena.pin(h);
    sink += arena.ptr(h);
    arena.unpin(h);
  };
  const mapOp = (i: number): void => {
    sink += map.get(keys[i % keys.length]!)!;
  };
  timeOps(n, pinOp);
  timeOps(n, mapOp);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    a.push(timeOps(n, pinOp));
    b.push(timeOps(n, mapOp));
  }
  if (sink === 0.5) console.log('');
  return { pinNs: median(a), mapNs: median(b) };
}

/** How much a compaction may move for one allocation before the pager evicts more instead. */
const POLICIES: Array<[string, (size: number) => number]> = [
  ['compact whenever the free space suffices (default)', () => Infinity],
  ['move at most 8x the request, else evict more', (size) => 8 * size],
  ['move at most 4x the request, else evict more', (size) => 4 * size],
  ['move at most the request, else evict more', (size) => size],
  ['never compact (segregated best fit + coalescing alone)', () => 0],
];

async function workloads(m: ReturnType<typeof model>, total: number): Promise<Workload[]> {
  const f = (x: number, d = 3): string => x.toFixed(d);
  const results: Workload[] = [];
  for (const [name, limit] of POLICIES) {
    const core = await createCore({ arenaBytes: Math.floor(total * CAPACITY_FRACTION), maxBlocks: 1024 });
    const memoryBefore = core.memoryBytes();
    const w = runWorkload(core.arena, m, total, limit);
    core.arena.check();
    results.push(w);
    console.log(`\n## pager policy: ${name}`);
    console.log(`utilisation before the first failed allocation      ${f(w.firstFailUtil)}`);
    console.log(
      `steady state: utilisation when an allocation failed mean ${f(mean(w.failUtils))}, min ${f(Math.min(...w.failUtils))} (${w.failUtils.length} failures; target >= 0.95)`,
    );
    console.log(`steady state: utilisation after each load           mean ${f(mean(w.loadUtils))}, p5 ${f(quantile(w.loadUtils, 0.05))}`);
    console.log(`failures with enough free bytes (split or capped)   ${w.pinSplitFailures}; stalls (all left pinned) ${w.stalls}`);
    console.log(`worst largest-free / free (free >= 1 MiB)           ${f(w.worstLargestRatio)}`);
    console.log(
      `per cycle: compactions ${f(w.compactionsPerCycle, 2)}, bytes moved ${f(w.movedPerCycle / MiB, 2)} MiB, bytes loaded ${f(w.loadedPerCycle / MiB, 1)} MiB (moved/loaded ${f(w.movedPerCycle / w.loadedPerCycle)})`,
    );
    console.log(`wasm memory ${core.memoryBytes()} bytes, unchanged: ${core.memoryBytes() === memoryBefore}`);
  }
  return results;
}

async function main(): Promise<void> {
  const m = model();
  const all = [...m.pinned, ...m.layers.flat()];
  const total = all.reduce((s, t) => s + t.size, 0);
  const f = (x: number, d = 3): string => x.toFixed(d);
  console.log(
    `# arena workload: ${all.length} tensors, ${f(total / MiB, 1)} MiB, capacity ${CAPACITY_FRACTION * 100} % of it, ${CYCLES} forward cycles, hold p=${HOLD_PROBABILITY}`,
  );
  const ws = await workloads(m, total);

  const tp = await throughput(
    all.map((t) => t.size),
    'workload',
  );
  const small = await throughput([4096], '4k');
  const hp = await hitPath();
  console.log(`\n# alloc+free vs new Uint8Array(size) (baseline), median of ${RUNS} runs`);
  console.log(`workload sizes: arena ${f(tp.arenaNs, 0)} ns/op, Uint8Array ${f(tp.baselineNs, 0)} ns/op, arena is ${f(tp.baselineNs / tp.arenaNs, 1)}x faster`);
  console.log(
    `4 KiB:          arena ${f(small.arenaNs, 0)} ns/op, Uint8Array ${f(small.baselineNs, 0)} ns/op, arena is ${f(small.baselineNs / small.arenaNs, 1)}x faster`,
  );
  console.log(`hit path pin+ptr+unpin ${f(hp.pinNs, 1)} ns/op vs Map.get ${f(hp.mapNs, 1)} ns/op: ${f(hp.pinNs / hp.mapNs, 2)}x`);

  const summary = (w: Workload) => ({
    ...w,
    failUtils: undefined,
    loadUtils: undefined,
    failUtilMean: mean(w.failUtils),
    failUtilMin: Math.min(...w.failUtils),
    loadUtilMean: mean(w.loadUtils),
  });
  const out = { policies: ws.map((w, i) => ({ policy: POLICIES[i]![0], ...summary(w) })), throughput: { workload: tp, small }, hitPath: hp };
  if (SMOKE) return;
  await mkdir(new URL('../../bench/out/', import.meta.url), { recursive: true });
  await writeFile(new URL('../../bench/out/arena.json', import.meta.url), JSON.stringify(out, null, 2));
}

await main();
