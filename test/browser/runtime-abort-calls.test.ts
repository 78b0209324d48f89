/**
 * readTensor, pagingDryRun and prefetch take a signal; an abort settles the call at once
 * and closes the request it alone waited for; dispose() of the model or the
 * runtime settles every call still pending. The server trickles (one byte
 * every 50 ms) after the open, so every read stays pending until ended.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { createRuntime, isGgufPagerError, type ModelHandle, type Runtime } from '../../src/index.ts';
import { serverStats, serverUrl, unique } from '../servers/urls.ts';
import type { TagStats } from '../servers/range-server.ts';

const MiB = 2 ** 20;
let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.dispose();
  rt = undefined;
});

const code = (e: unknown) => (isGgufPagerError(e) ? e.code : String(e));
const outcome = (p: Promise<unknown>) => p.then(() => 'settled', code);

async function trickled(): Promise<{ model: ModelHandle; stats(): Promise<TagStats>; far: string }> {
  const base = inject('rangeBase');
  const tag = unique('calls');
  rt = await createRuntime({ budget: 8 * MiB });
  // The open's 1 MiB head holds the header; the tensors past it come from the trickling server. Nothing pinned.
  const model = await rt.load(serverUrl(base, 'stories260K.gguf', { faults: ['after/1', 'trickle/50'], tag }), {
    cache: 'none',
    policy: { kind: 'budget', ramBytes: 4 * MiB },
  });
  const far = model.info.tensors.find((t) => t.offset > MiB)!.name;
  return { model, far, stats: () => serverStats(base, tag) };
}

/** Waits (by count) until the server has `n` requests of the tag in flight, then until none. */
async function until(stats: () => Promise<TagStats>, ok: (s: TagStats) => boolean): Promise<TagStats> {
  let s = await stats();
  for (let i = 0; i < 400 && !ok(s); i++) s = await new Promise((r) => setTimeout(r, 25)).then(stats);
  return s;
}

it('readTensor, pagingDryRun and prefetch reject at once with SOURCE_ABORTED on abort, and their requests close', async () => {
  const { model, far, stats } = await trickled();
  const calls: Array<(signal: AbortSignal) => Promise<unknown>> = [
    (signal) => model.readTensor(far, { signal }),
    (signal) => model.pagingDryRun({ tokens: 1, signal }),
    (signal) => model.prefetch([far], { signal }),
  ];
  for (const start of calls) {
    const before = (await stats()).requests;
    const ac = new AbortController();
    const call = outcome(start(ac.signal));
    await until(stats, (s) => s.requests > before && s.inFlight > 0);
    ac.abort();
    expect(await call).toBe('SOURCE_ABORTED');
    const s = await until(stats, (x) => x.inFlight === 0);
    expect(s.inFlight).toBe(0);
  }
  expect((await stats()).cutShort).toBeGreaterThanOrEqual(3);
});

it('model.dispose() settles a pending readTensor and pagingDryRun, and rt.dispose() one of another model; the requests close', async () => {
  const { model, far, stats } = await trickled();
  const read = outcome(model.readTensor(far));
  const dryRun = outcome(model.pagingDryRun({ tokens: 1 }));
  await until(stats, (s) => s.inFlight > 0);
  await model.dispose();
  expect(await read).toBe('MODEL_DISPOSED');
  expect(await dryRun).toBe('MODEL_DISPOSED');
  expect((await until(stats, (s) => s.inFlight === 0)).inFlight).toBe(0);

  const other = await rt!.load(serverUrl(inject('rangeBase'), 'stories260K.gguf', { faults: ['after/1', 'trickle/50'] }), {
    cache: 'none',
    policy: { kind: 'budget', ramBytes: 4 * MiB },
  });
  const pending = outcome(other.readTensor(far));
  await new Promise((r) => setTimeout(r, 50));
  await rt!.dispose();
  rt = undefined;
  expect(await pending).toBe('RUNTIME_DISPOSED');
});

it('an aborted generate returns with the reason abort and its requests close', async () => {
  const { model, stats } = await trickled();
  const ac = new AbortController();
  const run = model.generate('Once upon a time', { maxTokens: 8, temperature: 0, signal: ac.signal });
  await until(stats, (s) => s.inFlight > 0);
  ac.abort();
  expect((await run.result).stopReason).toBe('abort');
  expect((await until(stats, (s) => s.inFlight === 0)).inFlight).toBe(0);
});
