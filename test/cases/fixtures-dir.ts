/**
 * Where the shared fixtures are: `$GGUF_PAGER_FIXTURES`, else `../shared/fixtures`
 * beside the repository root. Never copied into the repository. When the folder
 * is missing, every test that needs it fails with this one message.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));

export const FIXTURES_DIR = process.env.GGUF_PAGER_FIXTURES ? resolve(process.env.GGUF_PAGER_FIXTURES) : resolve(REPO_ROOT, '../shared/fixtures');

/** The absolute path of a fixture (`models/stories260K.gguf`), or a clear error. */
export function fixturePath(rel: string): string {
  if (!existsSync(FIXTURES_DIR)) {
    throw new Error(
      `shared fixtures not found at ${FIXTURES_DIR}: clone the project with its shared/ folder beside it ` +
        `(../shared/fixtures, each file's public origin is in its SOURCES.md) or set GGUF_PAGER_FIXTURES to that folder`,
    );
  }
  return join(FIXTURES_DIR, rel);
}
