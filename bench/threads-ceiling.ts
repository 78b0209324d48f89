/**
 * What two threads can give at most on this machine, measured on the kernels alone (no engine, no serial
 * parts): a Q8_0 matvec over a matrix larger than the last-level cache (every byte from DRAM, as a decode
 * step of a model that does not fit in cache reads it) and a batch-32 matmul over a matrix that stays in
 * cache (bound by compute, as a prompt is). 1 and N threads alternated, the ratio of each pair, median
 * and best. A model's own N-vs-1 ratio (bench:generate --threads 1,2) is below these.
 */
import { createCore, type Core } from '../src/core/core.ts';
import { GgmlType } from '../src/gguf/ggml-types.ts';

interface Case {
  label: string;
  rows: number;
  cols: number;
  batch: number;
}

async function open(threads: number, c: Case): Promise<{ core: Core; op: () => void }> {
  const bytes = ((c.rows * c.cols) / 32) * 34;
  const core = await createCore({ arenaBytes: bytes + c.cols * c.batch * 8 + c.rows * c.batch * 4 + (2 << 20), threads });
  const alloc = (n: number) => {
    const h = core.arena.alloc(n);
    core.arena.pin(h);
    return core.arena.ptr(h);
  };
  const w = alloc(bytes),
    x = alloc(c.cols * c.batch * 4),
    y = alloc(c.rows * c.batch * 4);
  const work = alloc(Math.max(64, core.kernels.workBytes(GgmlType.Q8_0, c.cols, c.batch)));
  const blocks = new DataView(core.memory.buffer, w, bytes);
  for (let b = 0; b < bytes; b += 34) {
    blocks.setUint16(b, 0x2c00, true); // d = 1/16 in f16
    for (let i = 2; i < 34; i++) blocks.setInt8(b + i, (((b + i) * 37) % 255) - 127);
  }
  new Float32Array(core.memory.buffer, x, c.cols * c.batch).forEach((_, i, a) => {
    a[i] = Math.sin(i);
  });
  return { core, op: () => core.kernels.matmul(GgmlType.Q8_0, w, c.rows, c.cols, x, c.batch, y, work) };
}

/** ms per op over `reps` ops. */
function time(op: () => void, reps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) op();
  return (performance.now() - t0) / reps;
}

/** One row per case: ms per op at 1 and N threads (medians), N ÷ 1 median and best of `pairs` alternated pairs. */
export async function ceilingRows(threads: number, cases: readonly Case[], pairs: number): Promise<Record<string, string | number>[]> {
  const rows = [];
  for (const c of cases) {
    const one = await open(1, c),
      many = await open(threads, c);
    if (many.core.threads.count !== threads) throw new Error(`the pool did not start: ${many.core.threads.reason}`);
    const bytes = ((c.rows * c.cols) / 32) * 34;
    const reps = Math.max(2, Math.round(256e6 / bytes / c.batch));
    time(one.op, reps);
    time(many.op, reps);
    const t1: number[] = [],
      tn: number[] = [];
    for (let i = 0; i < pairs; i++) {
      t1.push(time(one.op, reps));
      tn.push(time(many.op, reps));
    }
    const ratios = t1.map((t, i) => t / tn[i]);
    rows.push({
      case: c.label,
      MiB: +(bytes / 2 ** 20).toFixed(1),
      '1 thread ms': +median(t1).toFixed(3),
      [`${threads} threads ms`]: +median(tn).toFixed(3),
      [`${threads} ÷ 1 median`]: +median(ratios).toFixed(2),
      [`${threads} ÷ 1 best`]: +Math.max(...ratios).toFixed(2),
    });
    one.core.threads.close();
    many.core.threads.close();
  }
  return rows;
}

export const median = (a: number[]): number => [...a].sort((p, q) => p - q)[a.length >> 1];

export const CEILING_CASES: readonly Case[] = [
  { label: 'decode-like: Q8_0 matvec from DRAM (96 MiB)', rows: 122880, cols: 768, batch: 1 },
  { label: 'prompt-like: Q8_0 matmul, batch 32, in cache (1.6 MiB)', rows: 2048, cols: 768, batch: 32 },
];
export const CEILING_SMOKE: readonly Case[] = [
  { label: 'decode-like (smoke)', rows: 512, cols: 256, batch: 1 },
  { label: 'prompt-like (smoke)', rows: 256, cols: 256, batch: 8 },
];
