/** The bench page: run.js drives `window.bench.*` through Playwright, one row at a time. */
import { runWllama } from './wllama.ts';

declare global {
  interface Window {
    bench: { wllama: typeof runWllama };
    benchReady: boolean;
  }
}

window.bench = { wllama: runWllama };
window.benchReady = true;
