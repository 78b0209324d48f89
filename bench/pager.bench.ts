/**
 * Pager benchmark (npm run bench:pager).
 *
 * 1. Bytes per token: a generated llama-shaped model (32 blocks, tens of MiB,
 *    in memory), no pins, budgets 25/50/75 % of its tensor bytes. The real
 *    pager and arena with `lru` and `auto`, against the offline
 *    furthest-next-use reference on the same trace. Target: auto ≤ 1.05 × reference.
 * 2. Hit path: acquire + release of a resident tensor against `Map.get` of
 *    the same ids, medians of several runs. Target: ≤ 3 ×.
 * 3. Hit path with 10 and with 1000 residents of 64 bytes (lru and auto): the
 *    time per hit should not grow with the resident count (unit test
 *    pager-hit-path.test.ts checks the same by counting calls). Target: ≤ 2 ×.
 */
import { createCore } from '../src/core/core.ts';
import { parseGguf } from '../src/gguf/parse.ts';
import { syntheticLlama } from '../src/authoring/synthetic.ts';
import type { GgufModel } from '../src/gguf/types.ts';
import { LayerPager } from '../src/pager/layer-pager.ts';
import { offlineOptimum } from '../src/pager/optimum.ts';
import { forwardSchedule, groupTrace } from '../src/pager/schedule.ts';
import { arenaBytesFor, simulate } from '../src/pager/simulator.ts';
import { MemorySource } from '../src/sources/memory.ts';
import { buildModel } from '../test/cases/pager-model.ts';
import { SMOKE, sized } from './smoke.ts';

const TOKENS = sized(8, 3);
const PERCENTS = [25, 50, 75];
const MiB = 1024 * 1024;

async function generatedModel(): Promise<{ model: GgufModel; source: MemorySource }> {
  const synth = syntheticLlama({ blocks: sized(32, 8), embd: 256, ff: 768, vocab: 2048, type: 'Q8_0', seed: 1, tokenizer: false });
  const bytes = new Uint8Array(synth.size);
  let at = 0;
  for (const chunk of synth.chunks(4 * MiB)) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  const source = new MemorySource(bytes, 'synthetic-llama-32x256.gguf');
  return { model: await parseGguf(source), source };
}

function optimumSteady(model: GgufModel, budgetBytes: number): number {
  const s = forwardSchedule(model);
  const steps = Array.from(groupTrace(s, TOKENS), (g) => s.groups[g]);
  const r = offlineOptimum({ steps, sizes: model.tensors.map((t) => t.size), budgetBytes });
  let steady = 0;
  for (let i = s.groups.length; i < steps.length; i++) steady += r.loadedPerStep[i];
  return steady / (TOKENS - 1);
}

async function bytesPerToken(model: GgufModel, source: MemorySource): Promise<boolean> {
  const mib = (b: number) => (b / MiB).toFixed(2).padStart(8);
  console.log(`\n# steady bytes per token, ${model.tensors.length} tensors, ${(model.totalTensorBytes / MiB).toFixed(1)} MiB, ${TOKENS} tokens, no pins`);
  console.log('budget   budget MiB   lru MiB/tok  auto MiB/tok   opt MiB/tok   auto/opt   lru/opt');
  let ok = true;
  for (const pct of PERCENTS) {
    const budgetBytes = Math.floor((model.totalTensorBytes * pct) / 100);
    const run = (eviction: 'lru' | 'auto') => simulate({ model, sources: [source], budgetBytes, eviction, pins: 'none', tokens: TOKENS });
    const lru = await run('lru');
    const auto = await run('auto');
    const opt = optimumSteady(model, budgetBytes);
    const ratio = auto.steadyBytesPerToken / opt;
    ok &&= ratio <= 1.05;
    console.log(
      `${String(pct).padStart(5)}%  ${mib(budgetBytes)}     ${mib(lru.steadyBytesPerToken)}      ${mib(auto.steadyBytesPerToken)}      ${mib(opt)}     ${ratio.toFixed(3).padStart(6)}    ${(lru.steadyBytesPerToken / opt).toFixed(3).padStart(6)}`,
    );
  }
  if (!SMOKE) console.log(`target auto/opt <= 1.05: ${ok ? 'met' : 'NOT met'}`);
  return ok;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const N = sized(200_000, 2_000);
const RUNS = sized(9, 1);
let sink = 0;

// One function per loop, no closures passed in: a shared timing helper with
// different callbacks deoptimises (V8 "wrong call target") and measures itself.
function loopMapGet(map: Map<string, { size: number }>, ids: string[]): number {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) sink += map.get(ids[i & 63])!.size;
  return ((performance.now() - t0) * 1e6) / N;
}

function loopTryAcquire(pager: LayerPager, ids: string[]): number {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const l = pager.tryAcquire(ids[i & 63])!;
    sink += l.length;
    pager.release(l);
  }
  return ((performance.now() - t0) * 1e6) / N;
}

async function loopAwaitMapGet(map: Map<string, { size: number }>, ids: string[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) sink += (await Promise.resolve(map.get(ids[i & 63])!)).size;
  return ((performance.now() - t0) * 1e6) / N;
}

async function loopAwaitAcquire(pager: LayerPager, ids: string[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const l = await pager.acquire(ids[i & 63]);
    sink += l.length;
    pager.release(l);
  }
  return ((performance.now() - t0) * 1e6) / N;
}

async function hitPath(model: GgufModel, source: MemorySource): Promise<boolean> {
  const core = await createCore({ arenaBytes: arenaBytesFor(model.totalTensorBytes, model.tensors.length), maxBlocks: 4096 });
  const pager = new LayerPager({ arena: core.arena, sources: [source], model, policy: { kind: 'budget', ramBytes: model.totalTensorBytes } });
  const ids = model.tensors.slice(0, 64).map((t) => t.name);
  for (const id of ids) pager.release(await pager.acquire(id));
  const map = new Map(model.tensors.map((t) => [t.name, t]));
  // Interleaved runs (the first is warm-up): a ratio per run, then medians, so load from other processes cancels out.
  const m = { map: [] as number[], sync: [] as number[], amap: [] as number[], aacq: [] as number[], rSync: [] as number[], rAsync: [] as number[] };
  for (let r = 0; r <= RUNS; r++) {
    const a = loopMapGet(map, ids);
    const b = loopTryAcquire(pager, ids);
    const c = await loopAwaitMapGet(map, ids);
    const d = await loopAwaitAcquire(pager, ids);
    if (r === 0) continue;
    m.map.push(a);
    m.sync.push(b);
    m.amap.push(c);
    m.aacq.push(d);
    m.rSync.push(b / a);
    m.rAsync.push(d / c);
  }
  pager.dispose();
  const mapGet = median(m.map);
  const row = (name: string, ns: number) => console.log(`${name.padEnd(48)} ${ns.toFixed(1).padStart(8)} ns   ${(ns / mapGet).toFixed(2).padStart(6)} ×`);
  console.log(`\n# hit path, medians of ${RUNS} interleaved runs × ${N} ops, 64 resident ids (checksum ${sink % 1000})`);
  row('Map.get (baseline)', mapGet);
  row('tryAcquire + release (sync hit path)', median(m.sync));
  row('await Promise.resolve(Map.get) (async baseline)', median(m.amap));
  row('await acquire + release', median(m.aacq));
  const rSync = median(m.rSync);
  console.log(`median per-run ratio, tryAcquire + release / Map.get: ${rSync.toFixed(2)} ×`);
  console.log(`median per-run ratio, await acquire + release / await Map.get: ${median(m.rAsync).toFixed(2)} ×`);
  const ok = rSync <= 3;
  if (!SMOKE) console.log(`target sync hit path <= 3 × Map.get: ${ok ? 'met' : 'NOT met'}`);
  return ok;
}

async function hitNanos(residents: number, eviction: 'lru' | 'auto'): Promise<number> {
  const { model, bytes } = buildModel(Array.from({ length: residents }, (_, i) => ({ name: `t${i}`, size: 64 })));
  const core = await createCore({ arenaBytes: arenaBytesFor(model.totalTensorBytes, residents), maxBlocks: 4096 });
  const pager = new LayerPager({
    arena: core.arena,
    sources: [new MemorySource(bytes, 'residents.gguf')],
    model,
    policy: { kind: 'budget', ramBytes: model.totalTensorBytes, eviction },
  });
  await pager.prefetch(model.tensors.map((t) => t.name));
  const ids = model.tensors.slice(0, 64).map((t) => t.name);
  const runs: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const ns = loopTryAcquire(pager, ids);
    if (r > 0) runs.push(ns); // the first run is warm-up
  }
  pager.dispose();
  return median(runs);
}

async function residentScaling(): Promise<boolean> {
  console.log(`\n# hit path against the resident count, medians of ${RUNS} runs × ${N} ops`);
  let ok = true;
  for (const eviction of ['lru', 'auto'] as const) {
    const small = await hitNanos(64, eviction);
    const large = await hitNanos(1000, eviction);
    ok &&= large <= 2 * small;
    console.log(
      `${eviction.padEnd(5)} 64 residents ${small.toFixed(1).padStart(7)} ns   1000 residents ${large.toFixed(1).padStart(7)} ns   ${(large / small).toFixed(2)} ×`,
    );
  }
  console.log(`target 1000 residents <= 2 × 64 residents: ${ok ? 'met' : 'NOT met'}`);
  return ok;
}

async function main(): Promise<void> {
  const { model, source } = await generatedModel();
  if (!process.argv.includes('--hit-only')) await bytesPerToken(model, source);
  await hitPath(model, source);
  await residentScaling();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
