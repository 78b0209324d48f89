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
      {
        server: { headers: ISOLATION_HEADERS },
        worker: { format: 'es' },
        optimizeDeps: { include: ['comlink', 'idb-keyval'] },
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
