// A webpack 5 app: the package's worker and core.wasm are found by webpack's own
// `new Worker(new URL(…))` and `new URL(…, import.meta.url)` handling, with no loader or plugin.
import { createRuntime, isGgufPagerError } from 'gguf-pager';

const params = new URLSearchParams(location.search);
const budget = Number(params.get('budget') ?? 2 ** 20);
const out = document.querySelector('#result');

async function main() {
  const rt = await createRuntime({ budget });
  try {
    const model = await rt.load(params.get('model'), { cache: 'none' });
    const stats = await model.pagingDryRun({ tokens: 2 });
    return { coreBuild: rt.coreBuild, budget: rt.budget, tensors: model.info.tensors.length, fileSize: model.info.fileSize, stats };
  } finally {
    await rt.dispose();
  }
}

main().then(
  (r) => { out.textContent = JSON.stringify(r); out.dataset.status = 'ready'; },
  (e) => { out.textContent = isGgufPagerError(e) ? `${e.code}: ${e.message}` : String(e); out.dataset.status = 'error'; },
);
