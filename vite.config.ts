import { defineConfig } from 'vite';
import { ISOLATION_HEADERS } from './test/browser-launch.ts';
import { modelsPlugin } from './scripts/models-plugin.ts';

// The demo page (web/). Cross-origin isolation headers let the page measure memory precisely.
export default defineConfig({
  root: 'web',
  plugins: [modelsPlugin()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: '../dist-web',
    emptyOutDir: true,
    assetsInlineLimit: (file: string) => (file.endsWith('.wasm') ? false : undefined),
  },
});
