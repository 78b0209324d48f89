// A Vite app that installed gguf-pager from the registry: it loads a model under a
// budget with the stock worker, then drives a block through a custom engine worker,
// then stores the model in OPFS and loads it again from its file handle.
import { createRuntime, isGgufPagerError, type ModelStats, type Runtime } from 'gguf-pager';
import type { EngineRuntime } from './engine-worker.ts';

const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? '/model.gguf';
const budget = Number(params.get('budget') ?? 2 ** 20);
const out = document.querySelector<HTMLPreElement>('#result')!;

async function withRuntime<T>(rt: Runtime, f: (rt: Runtime) => Promise<T>): Promise<T> {
  try {
    return await f(rt);
  } finally {
    await rt.dispose();
  }
}

async function main() {
  const stock = await withRuntime(await createRuntime({ budget }), async (rt) => {
    const model = await rt.load(modelUrl, { cache: 'none' });
    const stats: ModelStats = await model.pagingDryRun({ tokens: 2 });
    return { coreBuild: rt.coreBuild, budget: rt.budget, tensors: model.info.tensors.length, fileSize: model.info.fileSize, stats };
  });
  const engine = await withRuntime(
    await createRuntime({ budget, worker: () => new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' }) }),
    async (rt) => {
      const model = await rt.load(modelUrl, { cache: 'none' });
      return rt.extension<EngineRuntime>().blockTensors(model.info.id, 0);
    },
  );
  const opfsHandle = await withRuntime(await createRuntime({ budget }), async (rt) => {
    const dir = await navigator.storage.getDirectory();
    const handle = await dir.getFileHandle('consumer-model.gguf', { create: true });
    const w = await handle.createWritable();
    await (await fetch(modelUrl)).body!.pipeTo(w);
    const model = await rt.load(handle);
    const stats: ModelStats = await model.pagingDryRun({ tokens: 2 });
    await model.dispose();
    return { tensors: model.info.tensors.length, fileSize: model.info.fileSize, stats };
  });
  return { stock, engine, opfsHandle };
}

main().then(
  (r) => {
    out.textContent = JSON.stringify(r);
    out.dataset.status = 'ready';
  },
  (e: unknown) => {
    out.textContent = isGgufPagerError(e) ? `${e.code}: ${e.message}` : String(e);
    out.dataset.status = 'error';
  },
);
