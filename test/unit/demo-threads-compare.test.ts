import { describe, expect, it } from 'vitest';
import { comparisonRows, type ThreadsRun } from '../../web/threads-panel.ts';

const run = (threads: number, prompt: number, decode: number): ThreadsRun => ({
  threads,
  model: 'm.gguf',
  budget: 2 ** 20,
  result: { promptTokensPerSecond: prompt, tokensPerSecond: decode, promptTokensProcessed: 5, generatedTokens: 24 },
});

describe("the demo's threads comparison", () => {
  it('lists the runs by thread count with each one against one thread', () => {
    const runs = new Map([
      [2, run(2, 150, 90)],
      [1, run(1, 100, 60)],
      [4, run(4, 120, 30)],
    ]);
    expect(comparisonRows(runs)).toEqual([
      ['1', '100.0', '60.0', '5 / 24'],
      ['2', '150.0 (1.50×)', '90.0 (1.50×)', '5 / 24'],
      ['4', '120.0 (1.20×)', '30.0 (0.50×)', '5 / 24'],
    ]);
  });

  it('gives no ratio without a one-thread run, and a dash for a rate not measured', () => {
    const runs = new Map([[2, run(2, 0, 80)]]);
    expect(comparisonRows(runs)).toEqual([['2', '—', '80.0', '5 / 24']]);
    expect(
      comparisonRows(
        new Map([
          [1, run(1, Number.NaN, 50)],
          [2, run(2, 70, 100)],
        ]),
      ),
    ).toEqual([
      ['1', '—', '50.0', '5 / 24'],
      ['2', '70.0', '100.0 (2.00×)', '5 / 24'],
    ]);
  });
});
