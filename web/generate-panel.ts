/**
 * The demo's prompt box: generate or chat with the loaded model, the text
 * streaming in, and tokens/s, time to first token and bytes loaded per token
 * updated live beside the resident-bytes chart (which it feeds while running).
 */
import { ARCHITECTURES } from '../src/engine/architecture.ts';
import type { ChatMessage, GenerateResult, ModelHandle } from '../src/index.ts';
import type { PagerChart } from './chart.ts';
import { bytes } from './format.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the page learns of each generation: when one runs, and its result when it finished. */
export interface GenerateHooks {
  busy(running: boolean): void;
  finished(r: GenerateResult): void;
}

export function setupGeneratePanel(
  getModel: () => ModelHandle | null,
  chart: PagerChart,
  onError: (e: unknown) => void,
  hooks?: GenerateHooks,
): { modelChanged(): void } {
  const prompt = $<HTMLTextAreaElement>('prompt');
  const chatMode = $<HTMLInputElement>('chat-mode');
  const maxTokens = $<HTMLInputElement>('max-tokens');
  const temperature = $<HTMLInputElement>('temperature');
  const go = $<HTMLButtonElement>('generate');
  const stop = $<HTMLButtonElement>('stop');
  const output = $('output');
  const history: ChatMessage[] = [];
  let abort: AbortController | null = null;

  const show = (id: string, text: string) => {
    $(id).textContent = text;
  };
  const stats = (
    r: Pick<GenerateResult, 'tokensPerSecond' | 'timeToFirstTokenMs' | 'bytesLoadedPerToken' | 'promptTokens' | 'promptTokensProcessed' | 'generatedTokens'>,
  ) => {
    show('gen-tps', r.tokensPerSecond.toFixed(1));
    show('gen-ttft', `${r.timeToFirstTokenMs.toFixed(0)} ms`);
    show('gen-bpt', bytes(r.bytesLoadedPerToken));
    show('gen-prompt', `${r.promptTokensProcessed} of ${r.promptTokens}`);
    show('gen-count', String(r.generatedTokens));
  };

  async function generate(): Promise<void> {
    const model = getModel();
    if (!model) return;
    go.disabled = true;
    stop.disabled = false;
    hooks?.busy(true);
    output.dataset.state = 'running'; // at once: a reader waiting for 'done' never sees the last run's
    delete output.dataset.ids;
    abort = new AbortController();
    const text = prompt.value;
    const opts = { maxTokens: Number(maxTokens.value) || 64, temperature: Number(temperature.value) || 0, seed: 1, signal: abort.signal };
    const started = performance.now();
    let first = 0;
    let count = 0;
    const before = (await model.stats()).bytesLoaded;
    let last = { hits: 0, misses: 0 };
    const poll = setInterval(async () => {
      const s = await model.stats().catch(() => null);
      if (!s) return;
      chart.push({
        resident: s.residentBytes + s.loadingBytes,
        budget: model.info.budgetBytes,
        hits: Math.max(0, s.hits - last.hits),
        misses: Math.max(0, s.misses - last.misses),
      });
      last = s;
      const secs = (performance.now() - first) / 1000;
      if (first && count > 1) {
        show('gen-tps', ((count - 1) / secs).toFixed(1));
        show('gen-bpt', bytes((s.bytesLoaded - before) / count));
      }
    }, 250);
    let reply: HTMLElement;
    if (chatMode.checked) {
      history.push({ role: 'user', content: text });
      output.append(Object.assign(document.createElement('p'), { className: 'user', textContent: text }));
      reply = output.appendChild(Object.assign(document.createElement('p'), { className: 'assistant' }));
    } else {
      output.replaceChildren();
      reply = output.appendChild(Object.assign(document.createElement('p'), { className: 'completion' }));
      reply.append(Object.assign(document.createElement('strong'), { textContent: text }));
    }
    reply.dataset.testid = 'reply';
    const streamed = reply.appendChild(document.createElement('span'));
    try {
      const run = chatMode.checked ? model.chat(history, opts) : model.generate(text, opts);
      for await (const piece of run) {
        if (!first) {
          first = performance.now();
          show('gen-ttft', `${(first - started).toFixed(0)} ms`);
        }
        count++;
        streamed.textContent += piece.text;
      }
      const r = await run.result;
      if (chatMode.checked) history.push({ role: 'assistant', content: r.text });
      stats(r);
      show('gen-stop', r.stopReason);
      output.dataset.stopReason = r.stopReason;
      output.dataset.ids = r.tokens.join(','); // the generated ids, for comparing runs (e2e: 1 vs N threads)
      hooks?.finished(r);
    } catch (e) {
      if (chatMode.checked) history.pop();
      onError(e);
    } finally {
      clearInterval(poll);
      output.dataset.state = 'done';
      go.disabled = false;
      stop.disabled = true;
      abort = null;
      hooks?.busy(false);
    }
  }

  go.addEventListener('click', () => void generate());
  stop.addEventListener('click', () => abort?.abort());
  $('chat-reset').addEventListener('click', async () => {
    history.length = 0;
    output.replaceChildren();
    await getModel()?.reset();
  });
  return {
    modelChanged() {
      history.length = 0;
      output.replaceChildren();
      const m = getModel();
      go.disabled = !m?.info.canGenerate;
      show(
        'gen-status',
        !m
          ? `load a model (generates: ${ARCHITECTURES.flatMap((x) => x.names).join(', ')})`
          : m.info.canGenerate
            ? `${m.info.architecture}, context ${m.info.contextLength} tokens`
            : `cannot generate: ${m.info.generateError?.code}: ${m.info.generateError?.message}`,
      );
    },
  };
}
