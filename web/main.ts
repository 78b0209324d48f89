/** The demo page: wires the controls to the public API (src/index.ts) only. */
import { createRuntime, defaultBudget, isGgufPagerError, type ModelHandle, type ModelInput, type Runtime } from '../src/index.ts';
import { PagerChart } from './chart.ts';
import { bytes, duration, rate } from './format.ts';
import { renderCache } from './cache-panel.ts';
import { renderMetadata, renderTensors } from './tensor-table.ts';
import { makeSyntheticInOpfs, storeFileInOpfs } from './local-models.ts';
import { setupGeneratePanel } from './generate-panel.ts';
import { showUaMemory } from './ua-memory.ts';
import { setupStartValues } from './start-values.ts';
import { setupThreadsPanel, type ThreadsChoice } from './threads-panel.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const pick = $<HTMLSelectElement>('model-pick');
const urlInput = $<HTMLInputElement>('model-url');
const budgetInput = $<HTMLInputElement>('budget');
const status = $('status');
const statusDetail = $('status-detail');
const errorBox = $('error');
const progress = $<HTMLProgressElement>('progress');
const progressText = $('progress-text');
const runButton = $<HTMLButtonElement>('run');
const cancelButton = $<HTMLButtonElement>('cancel');
const chart = new PagerChart($<HTMLCanvasElement>('chart'));
const threadsPanel = setupThreadsPanel({
  select: $<HTMLSelectElement>('threads-choice'),
  display: $('threads'),
  line: $('threads-line'),
  table: $<HTMLTableSectionElement>('threads-rows'),
  note: $('threads-compare-note'),
});
const generatePanel = setupGeneratePanel(
  () => model,
  chart,
  (e) => showError(e),
  {
    busy: (running) => threadsPanel.setBusy(running),
    finished: (r) => {
      if (runtime && model) threadsPanel.record({ threads: runtime.threads, model: model.info.source, budget: runtime.budget, result: r });
    },
  },
);

let runtime: Runtime | null = null;
let runtimeKv = 0;
let runtimeThreads: ThreadsChoice = 'auto';
let model: ModelHandle | null = null;
let pendingInput: ModelInput | null = null;
let abort: AbortController | null = null;

budgetInput.value = String(Math.floor(defaultBudget() / 2 ** 20));
const startValues = setupStartValues(budgetInput, $<HTMLInputElement>('kv-mib'), $('budget-note'));
/** The big synthetic model: random weights (the text is noise), for watching the pager page. */
const SYNTHETIC = '/models/default.gguf';

function setStatus(s: 'idle' | 'loading' | 'ready' | 'running' | 'error', detail = ''): void {
  status.textContent = s;
  statusDetail.textContent = detail;
}

function showError(e: unknown): void {
  const code = isGgufPagerError(e) ? e.code : 'INTERNAL';
  const message = e instanceof Error ? e.message : String(e);
  errorBox.hidden = false;
  errorBox.textContent = `${code}: ${message}${pinsAdvice(e)}`;
  errorBox.dataset.code = code;
  setStatus('error', code);
}

/** The models to pick: stories260K first when the shared fixtures are beside the clone (it writes real English). */
async function fillPicker(): Promise<void> {
  const synthetic: [string, string] = [SYNTHETIC, 'Big synthetic llama: 96 MiB of random weights, for paging (generated on first start)'];
  const fixtures: Array<[string, string]> = [];
  try {
    const r = await fetch('/fixtures/index.json', { cache: 'no-store' });
    if (r.ok)
      for (const f of (await r.json()) as string[])
        fixtures.push([`/fixtures/${f}`, f === 'stories260K.gguf' ? 'stories260K: a tiny trained llama (real text)' : `Fixture: ${f}`]);
  } catch {
    /* no fixtures folder: fine */
  }
  const stories = fixtures.findIndex(([v]) => v.endsWith('/stories260K.gguf'));
  const first = stories >= 0 ? fixtures.splice(stories, 1) : [];
  const options: Array<[string, string]> = [...first, synthetic, ...fixtures, ['', 'The URL on the right']];
  pick.replaceChildren(...options.map(([v, label]) => new Option(label, v)));
  urlInput.value = options[0][0];
  startValues.refresh(urlInput.value, true);
  pick.addEventListener('change', () => {
    if (pick.value) urlInput.value = pick.value;
    pendingInput = null;
    startValues.refresh(urlInput.value, true);
  });
  urlInput.addEventListener('input', () => {
    pick.value = '';
    pendingInput = null;
    startValues.refresh(urlInput.value.trim());
  });
}

/** One runtime change at a time: two callers at once (the cache panel at start and a load) must not both create one. */
let runtimeChange: Promise<unknown> = Promise.resolve();
function ensureRuntime(): Promise<Runtime> {
  const next = runtimeChange.then(ensureRuntimeNow);
  runtimeChange = next.catch(() => undefined);
  return next;
}

async function ensureRuntimeNow(): Promise<Runtime> {
  // Whole 64 KiB pages (the field takes fractions of a MiB: stories260K's half is under one), at least 256 KiB.
  const budget = Math.max(4, Math.round((Number(budgetInput.value) || 0) * 16)) * 2 ** 16;
  // The KV pages may take most of the budget (a long context on a small model), not all of it.
  const kvBytes = Math.floor(Math.min(budget * 0.75, Math.max(0, Number(($('kv-mib') as HTMLInputElement).value) || 0) * 2 ** 20));
  const threads = threadsPanel.choice();
  if (runtime && runtime.budget === budget && runtimeKv === kvBytes && runtimeThreads === threads) return runtime;
  if (model) await model.dispose().catch(() => {});
  model = null;
  await runtime?.dispose();
  runtime = null;
  runtime = await createRuntime({ budget, kvBytes, threads });
  runtimeKv = kvBytes;
  runtimeThreads = threads;
  $('budget-bytes').textContent = String(runtime.budget);
  threadsPanel.showRuntime(runtime.threads, runtime.threadsReason, threads);
  return runtime;
}

/** The library's default policy (undefined) unless the person chose the pins. */
function policyFromControls(budget: number) {
  const pins = ($('pins') as HTMLSelectElement).value;
  if (pins === 'default') return undefined;
  return {
    kind: 'pinnedHotSet' as const,
    ramBytes: budget,
    pinEmbeddings: pins === 'head',
    pinOutputHead: pins === 'head',
    pinLastNLayers: Number(($('pin-last') as HTMLInputElement).value) || 0,
    prefetchNAhead: Number(($('prefetch') as HTMLInputElement).value) || 0,
    eviction: ($('eviction') as HTMLSelectElement).value as 'auto' | 'lru',
  };
}

/** For pins that cannot fit: the budget that would hold them with as much again for paging (the default policy's rule). */
function pinsAdvice(e: unknown): string {
  if (!isGgufPagerError(e, 'PAGER_PINS_OVER_BUDGET')) return '';
  const pinned = Number((e.details as { pinnedBytes?: number }).pinnedBytes);
  if (!(pinned > 0)) return '';
  const kv = Math.max(0, Number(($('kv-mib') as HTMLInputElement).value) || 0);
  const mib = Math.ceil((2 * pinned) / 2 ** 20) + kv;
  return ` A budget of ${mib} MiB would fit these pins (twice the pinned ${bytes(pinned)}, plus the KV cache), or choose the library's default pins.`;
}

async function load(): Promise<void> {
  errorBox.hidden = true;
  runButton.disabled = true;
  progress.value = 0;
  progressText.textContent = '';
  setStatus('loading');
  threadsPanel.setBusy(true);
  abort = new AbortController();
  cancelButton.disabled = false;
  const started = performance.now();
  try {
    await startValues.ready();
    const rt = await ensureRuntime();
    if (model) {
      await model.dispose();
      model = null;
    }
    generatePanel.modelChanged();
    const input = pendingInput ?? urlInput.value.trim();
    if (!input) throw new Error('enter a model URL, pick a file or make a synthetic model');
    model = await rt.load(input, {
      cache: ($('cache-store') as HTMLSelectElement).value as 'auto' | 'idb' | 'none',
      policy: policyFromControls(rt.budget),
      signal: abort.signal,
      onProgress: (p) => {
        const pct = p.bytesTotal ? (100 * p.bytesDone) / p.bytesTotal : p.phase === 'ready' ? 100 : 0;
        progress.value = pct;
        const eta = p.bytesPerSecond > 0 ? (p.bytesTotal - p.bytesDone) / p.bytesPerSecond : NaN;
        progressText.textContent =
          `${p.phase}: ${bytes(p.bytesDone)} of ${bytes(p.bytesTotal)} (${pct.toFixed(0)} %), ` +
          `${rate(p.bytesPerSecond)}, ETA ${duration(eta)}; network ${bytes(p.fromNetwork)}, cache ${bytes(p.fromCache)}` +
          (p.stalled ? `; the server stalled on ${p.stalled.range} (no data for ${duration(p.stalled.stallMs / 1000)}, ${p.stalled.stalls}×), retrying` : '');
        progress.dataset.fromNetwork = String(p.fromNetwork);
        progress.dataset.fromCache = String(p.fromCache);
      },
    });
    progress.value = 100;
    generatePanel.modelChanged();
    renderMetadata($('meta'), model.info);
    renderTensors($('tensors'), model.info);
    chart.reset();
    await refreshStats();
    setStatus('ready', `${model.info.source} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    runButton.disabled = false;
  } catch (e) {
    showError(e);
  } finally {
    cancelButton.disabled = true;
    threadsPanel.setBusy(false);
    void refreshCache();
  }
}

async function refreshStats(): Promise<void> {
  if (!runtime) return;
  const s = await runtime.stats();
  $('wasm-memory').textContent = String(s.memoryBytes);
  const a = s.arena;
  $('arena-stats').textContent =
    `capacity ${bytes(a.capacity)}, used ${bytes(a.used)}, free ${bytes(a.free)}, ` + `largest free block ${bytes(a.largestFree)}, ${a.liveBlocks} live blocks`;
  $('kv-stats').textContent = s.kv
    ? `${s.kv.totalPages} pages of ${s.kv.pageSize} elements, ${s.kv.totalPages - s.kv.freePages} in use, ${s.kv.freePages} free`
    : 'none reserved';
  $('budget-bytes').textContent = String(s.budget);
  const m = model ? s.models.find((x) => x.id === model!.info.id) : undefined;
  if (!m) return;
  $('resident-bytes').textContent = String(m.residentBytes);
  $('max-resident').textContent = String(m.maxResidentBytes);
  $('hits-misses').textContent = `${m.hits} / ${m.misses}`;
  $('prefetches').textContent = String(m.prefetches);
  $('loaded-evicted').textContent = `${bytes(m.bytesLoaded)} / ${bytes(m.bytesEvicted)}`;
  $('net-cache').textContent = `${bytes(m.fromNetwork)} / ${bytes(m.fromCache)}`;
}

async function pagingDryRun(): Promise<void> {
  if (!model) return;
  runButton.disabled = true;
  setStatus('running');
  let last = { hits: 0, misses: 0 };
  try {
    const budget = model.info.budgetBytes; // the pager's share: the tab's budget less the KV pages
    const tokens = Number(($('tokens') as HTMLInputElement).value) || 1;
    const loadedBefore = (await model.stats()).bytesLoaded;
    const final = await model.pagingDryRun({ tokens }, (s) => {
      chart.push({ resident: s.residentBytes, budget, hits: s.hits - last.hits, misses: s.misses - last.misses });
      last = s;
      $('resident-bytes').textContent = String(s.residentBytes);
    });
    await refreshStats();
    const perToken = (final.bytesLoaded - loadedBefore) / tokens;
    setStatus(
      'ready',
      `ran ${tokens} tokens: ${bytes(perToken)} loaded per token; ` +
        `hit rate ${((100 * final.hits) / Math.max(1, final.hits + final.misses)).toFixed(1)} % (prefetched loads count as hits)`,
    );
  } catch (e) {
    showError(e);
  } finally {
    runButton.disabled = false;
  }
}

/** After a cache deletion the worker unloads models that read from it: notice when ours was one. */
async function checkModelAlive(): Promise<void> {
  if (!model) return;
  try {
    await model.stats();
  } catch (e) {
    if (!isGgufPagerError(e, 'MODEL_DISPOSED')) throw e;
    model = null;
    runButton.disabled = true;
    setStatus('idle', 'the model was unloaded: its cached bytes were deleted');
  }
}

async function refreshCache(): Promise<void> {
  try {
    const rt = await ensureRuntime();
    await renderCache(rt, $('cache-list'), $('estimate'), () => void checkModelAlive().then(refreshCache));
  } catch (e) {
    $('estimate').textContent = `cache unavailable: ${(e as Error).message}`;
  }
}

$('load').addEventListener('click', () => void load());
$('pick-synthetic').addEventListener('click', () => {
  pick.value = SYNTHETIC;
  pick.dispatchEvent(new Event('change'));
  void load();
});
cancelButton.addEventListener('click', () => abort?.abort());
// Another thread count re-creates the runtime (the old one disposed) and reloads the model, so a person can generate again and compare.
$('threads-choice').addEventListener('change', () => {
  if (model) void load();
  else void ensureRuntime().catch(showError);
});
runButton.addEventListener('click', () => void pagingDryRun());
$('cache-refresh').addEventListener('click', () => void refreshCache());
$('cache-clear').addEventListener('click', async () => {
  await (await ensureRuntime()).cache.clear();
  await checkModelAlive();
  void refreshCache();
});
$('cache-persist').addEventListener('click', async () => {
  const ok = await (await ensureRuntime()).cache.persist();
  $('estimate').textContent += ok ? ' Persistent storage granted.' : ' Persistent storage refused.';
});
$('model-file').addEventListener('change', async (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (!f) return;
  setStatus('loading', `copying ${f.name} into OPFS`);
  try {
    pendingInput = await storeFileInOpfs(f, (done) => {
      progress.value = (100 * done) / f.size;
    });
    urlInput.value = `opfs:${f.name}`;
    setStatus('idle', `${f.name} stored in OPFS; press Load`);
  } catch (e) {
    showError(e);
  }
});
$('synth-make').addEventListener('click', async () => {
  const mib = Number(($('synth-mib') as HTMLInputElement).value) || 64;
  setStatus('loading', `writing a ${mib} MiB synthetic model into OPFS`);
  try {
    pendingInput = await makeSyntheticInOpfs(mib, (done, total) => {
      progress.value = (100 * done) / total;
    });
    urlInput.value = `opfs:synthetic-${mib}MiB.gguf`;
    setStatus('idle', `synthetic ${mib} MiB model stored in OPFS; press Load`);
  } catch (e) {
    showError(e);
  }
});
setInterval(() => void refreshStats(), 1000);

showUaMemory($('ua-memory'));
void fillPicker();
void refreshCache();
