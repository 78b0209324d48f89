/**
 * Vite plugin for the demo (dev server and `vite preview`): serves GGUF models
 * with correct HTTP Range semantics (Vite's own static server gets several
 * wrong, see TOOLCHAIN.md) using the project's range handler:
 *   /models/<file>    build/models (the generated default model)
 *   /fixtures/<file>  ../shared/fixtures/models when that folder exists
 *   /fixtures/index.json  the list of those fixtures
 * A missing file is a plain 404 (not the SPA's index.html).
 */
import { existsSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin } from 'vite';
import { FileTable } from '../test/servers/files.ts';
import { createRangeHandler } from '../test/servers/range-server.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
export const MODELS_DIR = here('../build/models');
export const FIXTURES_DIR = here('../../shared/fixtures/models');

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain', 'Cross-Origin-Resource-Policy': 'cross-origin' }).end('not found');
}

function mount(middlewares: Connect.Server): void {
  const models = createRangeHandler(new FileTable(MODELS_DIR));
  const fixtures = createRangeHandler(new FileTable(FIXTURES_DIR));
  middlewares.use('/models', (req: IncomingMessage, res: ServerResponse) => models(req, res, () => notFound(res)));
  middlewares.use('/fixtures', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.split('?')[0] === '/index.json') {
      const list = existsSync(FIXTURES_DIR)
        ? readdirSync(FIXTURES_DIR)
            .filter((f) => f.endsWith('.gguf'))
            .sort()
        : [];
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(list));
      return;
    }
    fixtures(req, res, () => notFound(res));
  });
}

export function modelsPlugin(): Plugin {
  return {
    name: 'gguf-pager-models',
    configureServer: (server) => mount(server.middlewares),
    configurePreviewServer: (server) => mount(server.middlewares),
  };
}
