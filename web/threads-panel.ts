/**
 * The demo's threads control: choose 'auto' or 1 … the count 'auto' gives on
 * an isolated page, show the threads the runtime really computes on (and why
 * fewer, where so), and keep the prompt and decode tokens/s of the last run
 * at each thread count, measured, so a person sees 1 against N side by side.
 */
import type { GenerateResult } from '../src/index.ts';
import { resolveThreads } from '../src/core/threads/threads.ts';

export type ThreadsChoice = number | 'auto';

/** One measured run: what a row of the comparison shows. */
export interface ThreadsRun {
  threads: number;
  model: string;
  budget: number;
  result: Pick<GenerateResult, 'promptTokensPerSecond' | 'tokensPerSecond' | 'promptTokensProcessed' | 'generatedTokens'>;
}

export interface ThreadsPanel {
  /** What the person chose. */
  choice(): ThreadsChoice;
  /** Shows the threads computing, those asked for, and the runtime's reason for fewer. */
  showRuntime(threads: number, reason: string | null, asked: ThreadsChoice): void;
  /** Records a finished generation under the thread count that ran it (another model or budget starts the rows afresh). */
  record(run: ThreadsRun): void;
  /** Disables the control while a load or a generation runs. */
  setBusy(busy: boolean): void;
}

const fixed = (n: number) => (Number.isFinite(n) && n > 0 ? n.toFixed(1) : '—');

/** The rows for `runs`, by thread count ascending, with each row's speed against one thread's where measured. */
export function comparisonRows(runs: ReadonlyMap<number, ThreadsRun>): string[][] {
  const one = runs.get(1)?.result;
  const ratio = (v: number, base: number | undefined) => (one && base && base > 0 && v > 0 ? ` (${(v / base).toFixed(2)}×)` : '');
  return [...runs.values()]
    .sort((a, b) => a.threads - b.threads)
    .map(({ threads, result: r }) => [
      String(threads),
      `${fixed(r.promptTokensPerSecond)}${threads > 1 ? ratio(r.promptTokensPerSecond, one?.promptTokensPerSecond) : ''}`,
      `${fixed(r.tokensPerSecond)}${threads > 1 ? ratio(r.tokensPerSecond, one?.tokensPerSecond) : ''}`,
      `${r.promptTokensProcessed} / ${r.generatedTokens}`,
    ]);
}

/** The value of `?threads=` (kept so a link can open on a count), or 'auto'. */
function fromUrl(): ThreadsChoice {
  const n = Number(new URLSearchParams(location.search).get('threads'));
  return Number.isInteger(n) && n >= 1 ? n : 'auto';
}

/** The elements of the panel: the choice, the count in the Pager stats, the line with the reason, the comparison table and its note. */
export interface ThreadsElements {
  select: HTMLSelectElement;
  display: HTMLElement;
  line: HTMLElement;
  table: HTMLTableSectionElement;
  note: HTMLElement;
}

export function setupThreadsPanel({ select, display, line, table, note }: ThreadsElements): ThreadsPanel {
  // 'auto' on an isolated page: one thread per core, capped (src/core/threads/threads.ts).
  const autoCount = resolveThreads('auto').threads;
  const start = fromUrl();
  const counts = Array.from({ length: Math.max(autoCount, start === 'auto' ? 1 : start) }, (_, i) => i + 1);
  select.replaceChildren(new Option(`auto (${autoCount} where isolated)`, 'auto'), ...counts.map((n) => new Option(String(n), String(n))));
  select.value = String(start);
  const runs = new Map<number, ThreadsRun>();
  const render = () => {
    table.replaceChildren(
      ...comparisonRows(runs).map((cells) => {
        const tr = document.createElement('tr');
        tr.dataset.threads = cells[0];
        tr.append(...cells.map((c) => Object.assign(document.createElement('td'), { textContent: c })));
        return tr;
      }),
    );
    const any = [...runs.values()][0];
    note.textContent = any
      ? `${any.model}, budget ${(any.budget / 2 ** 20).toFixed(2)} MiB: the last generation at each thread count`
      : 'generate, choose another thread count (the model reloads), generate again';
  };
  render();
  return {
    choice: () => (select.value === 'auto' ? 'auto' : Number(select.value)),
    showRuntime(threads, reason, asked) {
      display.textContent = String(threads);
      display.dataset.threads = String(threads);
      line.textContent = `${threads} (asked: ${asked === 'auto' ? `'auto'` : asked})${reason ? `: ${reason}` : ''}`;
      line.dataset.reason = reason ?? '';
    },
    record(run) {
      const other = [...runs.values()].some((r) => r.model !== run.model || r.budget !== run.budget);
      if (other) runs.clear(); // rows of another model or budget would not compare
      runs.set(run.threads, run);
      render();
    },
    setBusy(busy) {
      select.disabled = busy;
    },
  };
}
