/**
 * Keeps the budget and KV fields at the selected model's defaults (defaults.ts)
 * until the person types into either: picking another model resets them to
 * that model's defaults; typing a URL recomputes them once typing pauses; a
 * load waits for the computation in flight so it uses what the page shows.
 */
import { defaultsFor } from './defaults.ts';

export interface StartValues {
  /** Recompute for `url`; `reset` forgets the person's own values (a model was picked). */
  refresh(url: string, reset?: boolean): void;
  /** Resolves when the values for the current URL are in the fields (or could not be computed). */
  ready(): Promise<void>;
}

const MiB = 2 ** 20;
const DEBOUNCE_MS = 250;
/** Bytes as MiB, rounded up at 4 decimals so the runtime gets every KV page counted. */
const mib = (b: number) => String(Math.ceil((b / MiB) * 1e4) / 1e4);

export function setupStartValues(budget: HTMLInputElement, kv: HTMLInputElement, note: HTMLElement): StartValues {
  let touched = false;
  let pending: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ctrl: AbortController | undefined;
  const own = () => {
    touched = true;
    note.textContent = 'your own budget and KV size (pick a model again for its defaults)';
  };
  budget.addEventListener('input', own);
  kv.addEventListener('input', own);

  const compute = async (url: string): Promise<void> => {
    ctrl?.abort();
    const c = (ctrl = new AbortController());
    try {
      const d = await defaultsFor(url, c.signal);
      if (touched || c.signal.aborted) return;
      budget.value = mib(d.budget);
      kv.value = mib(d.kvBytes);
      note.textContent = `Budget: ${d.note}.`;
    } catch {
      if (!touched && !c.signal.aborted) note.textContent = '';
    }
  };

  return {
    refresh(url, reset = false) {
      if (reset) touched = false;
      if (touched || !url || url.startsWith('opfs:')) return;
      clearTimeout(timer);
      pending = new Promise<void>((done) => {
        timer = setTimeout(() => void compute(url).finally(done), reset ? 0 : DEBOUNCE_MS);
      });
    },
    ready: () => pending,
  };
}
