import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM, CHROMIUM_ARGS, ISOLATION_HEADERS } from './test/browser-launch.ts';

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          // Node 20 runs the Relaxed SIMD core build (build/core.relaxed.wasm) only behind this flag
          execArgv: ['--experimental-wasm-relaxed-simd'],
        },
      },
      browserProject('browser', 'test/browser'),
      // Tests that set a real storage quota on their origin: a project (a Vite server, an origin) of their own.
      browserProject('browser-quota', 'test/browser-quota'),
    ],
  },
});

/** A Vitest browser project: the tests under `dir`, with the global setup in `dir`. */
function browserProject(name: string, dir: string) {
  return {
    server: { headers: ISOLATION_HEADERS },
    worker: { format: 'es' as const },
    optimizeDeps: { include: ['comlink', 'idb-keyval', '@huggingface/jinja'] },
    test: {
      name,
      include: [`${dir}/**/*.test.ts`],
      globalSetup: [`${dir}/global-setup.ts`],
      testTimeout: 60_000,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
        instances: [{ browser: 'chromium' as const }],
      },
    },
  };
}
