import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const child = fileURLToPath(new URL('../cases/http-exit-child.mjs', import.meta.url));
const compiled = fileURLToPath(new URL('../../dist/src/sources/http/source.js', import.meta.url));

it('lets a Node process exit after close() right behind coalesced reads (no request left hanging)', async () => {
  expect(existsSync(compiled), `${compiled}: run \`npm run build:node\` first (npm test does)`).toBe(true);
  const { code, out } = await new Promise<{ code: number | null; out: string }>((ok) => {
    const p = execFile(process.execPath, [child, compiled], { timeout: 8_000 }, (err, stdout) =>
      ok({ code: err ? ((err.code as number | null) ?? null) : 0, out: stdout }),
    );
    p.on('error', () => undefined);
  });
  expect(out).toBe('read ok\n');
  expect(code, 'the process was killed by the timeout: something kept it alive after close()').toBe(0);
});
