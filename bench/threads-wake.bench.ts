/**
 * Wake-up cost of one parallel op (npm run bench:threads): the time the compute pool adds to an op
 * that does almost no work (an F32 matvec of 32 × 64), 2 threads against 1, in Node.
 *
 * - hot: ops back to back, so the worker is still spinning on the control block when the next comes;
 * - asleep: 2 ms between ops (longer than a worker spins), so every op wakes it with Atomics.notify.
 *
 * A decode step of the 143 MB bench model (12 blocks × 768) posts 12 × 5 + 1 = 61 parallel ops
 * (q/k/v as one, attention, output, gate/up as one, down per block; the output head): the cost per token is 61 × the cost
 * per op, printed beside a decode step's time when --step-ms gives it (from bench:generate).
 * Medians of 5 rounds of 2000 ops; the machine is shared, so expect noise.
 *
 * Then the ceiling (threads-ceiling.ts): what 2 threads give on the kernels alone, a decode-like matvec from
 * DRAM and a prompt-like batched matmul in cache, so a model's 2-vs-1 ratio can be read against the machine's.
 */
import { parseArgs } from 'node:util';
import { createCore, type Core } from '../src/core/core.ts';
import { GgmlType } from '../src/gguf/ggml-types.ts';
import { sized } from './smoke.ts';
import { CEILING_CASES, CEILING_SMOKE, ceilingRows, median } from './threads-ceiling.ts';

const { values: args } = parseArgs({
  options: { 'step-ms': { type: 'string' }, ops: { type: 'string', default: '2000' }, smoke: { type: 'boolean', default: false } },
});
const OPS = sized(Number(args.ops), 50);
const OPS_PER_TOKEN = 12 * 5 + 1;
const ROWS = 32,
  COLS = 64;

async function open(threads: number): Promise<{ core: Core; op: () => void }> {
  const core = await createCore({
    arenaBytes: 1 << 20,
    threads,
    threadOptions: { minSplitBytes: 0, ...(process.env.SPIN_MS ? { spinMs: Number(process.env.SPIN_MS) } : {}) },
  });
  const alloc = (bytes: number) => {
    const h = core.arena.alloc(bytes);
    core.arena.pin(h);
    return core.arena.ptr(h);
  };
  const w = alloc(ROWS * COLS * 4),
    x = alloc(COLS * 4),
    y = alloc(ROWS * 4);
  return { core, op: () => core.kernels.matvec(GgmlType.F32, w, ROWS, COLS, x, y, 0) };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** µs per op, median of 5 rounds; `gapMs` between ops (not timed). */
function timePerOp(op: () => void, gapMs: number): number {
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    let total = 0;
    const n = gapMs > 0 ? Math.min(OPS, 200) : OPS;
    for (let i = 0; i < n; i++) {
      if (gapMs > 0) Atomics.wait(pause, 0, 0, gapMs);
      const t0 = performance.now();
      op();
      total += performance.now() - t0;
    }
    rounds.push((total * 1000) / n);
  }
  return median(rounds);
}

const one = await open(1);
const two = await open(2);
if (two.core.threads.count !== 2) throw new Error(`the pool did not start: ${two.core.threads.reason}`);
const rows = [];
for (const [mode, gap] of [
  ['hot', 0],
  ['asleep', 2],
] as const) {
  const t1 = timePerOp(one.op, gap);
  const t2 = timePerOp(two.op, gap);
  const wake = t2 - t1;
  const c = two.core.threads.parallel!.pool.counts;
  rows.push({
    mode,
    '1 thread µs/op': +t1.toFixed(2),
    '2 threads µs/op': +t2.toFixed(2),
    'wake-up µs/op': +wake.toFixed(2),
    'µs/token (61 ops)': +(wake * OPS_PER_TOKEN).toFixed(0),
    ...(args['step-ms'] ? { '% of a decode step': +((wake * OPS_PER_TOKEN) / (Number(args['step-ms']) * 10)).toFixed(2) } : {}),
    'chunks run by thread 0': `${c.ownChunks} of ${c.chunks}`,
  });
}
console.table(rows);
two.core.threads.close();
console.log("What 2 threads give on the kernels alone (1 and 2 alternated; the bound of a model's 2 ÷ 1):");
console.table(await ceilingRows(2, sized(CEILING_CASES, CEILING_SMOKE), sized(15, 2)));
