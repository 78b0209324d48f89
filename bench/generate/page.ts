/** The bench page: run.js drives `window.bench.*` through Playwright, one row at a time. */
import { runPager } from './pager.ts';
import { runWllama } from './wllama.ts';

declare global {
  interface Window {
    bench: { wllama: typeof runWllama; pager: typeof runPager };
    benchReady: boolean;
  }
}

window.bench = { wllama: runWllama, pager: runPager };
window.benchReady = true;
