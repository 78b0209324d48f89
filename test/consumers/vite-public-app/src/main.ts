// The first thing an app developer tries: the model dropped into Vite's public/ folder, loaded by
// its path with every default (budget, cache), served by Vite's own server (dev or preview).
import { createRuntime, isGgufPagerError } from 'gguf-pager';

const out = document.querySelector<HTMLPreElement>('#result')!;

async function main() {
  const rt = await createRuntime();
  try {
    const model = await rt.load('/model.gguf');
    const r = await model.generate('Once upon a time', { maxTokens: 8, temperature: 0, ignoreEog: true });
    const cached = await rt.cache.list();
    return { text: r.text, tokens: r.tokens.length, cache: cached.map((e) => ({ store: e.store, bytesCached: e.bytesCached, size: e.size })) };
  } finally {
    await rt.dispose();
  }
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
