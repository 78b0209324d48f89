/** The bench page: run.js calls `window.runBench('<file>.bench.ts', ctx)` through Playwright. */
import type { BenchContext, BenchModule, BenchResult } from './types.ts';

const modules = import.meta.glob<BenchModule>('./*.bench.ts');

declare global {
  interface Window {
    runBench(file: string, ctx: BenchContext): Promise<BenchResult>;
    benchReady: boolean;
  }
}

window.runBench = async (file, ctx) => {
  const load = modules[`./${file}`];
  if (!load) throw new Error(`no benchmark module ${file} (have ${Object.keys(modules).join(', ')})`);
  return (await load()).default(ctx);
};
window.benchReady = true;
