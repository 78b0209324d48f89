import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRangeSource } from '../../src/sources/http/source.ts';
import { startNginx, type NginxServer } from '../servers/nginx.ts';
import { firstPatternMismatch, patternBytes } from '../servers/pattern.ts';

let dir: string;
let nginx: NginxServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'http-nginx-'));
  nginx = await startNginx(dir);
});
afterAll(async () => {
  await nginx?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('HttpRangeSource in Node against nginx', () => {
  it('reads a file byte for byte', async () => {
    await writeFile(join(dir, 'a.bin'), patternBytes(0, 300_000, 8));
    const src = await HttpRangeSource.open(`${nginx.url}/a.bin`, { headBytes: 100 });
    const out = new Uint8Array(299_000);
    await src.readInto(1000, out);
    expect(firstPatternMismatch(out, 1000, 8)).toBe(-1);
  });

  it('detects a file replaced on the server after open as SOURCE_CHANGED (nginx answers If-Range with 200)', async () => {
    const path = join(dir, 'b.bin');
    await writeFile(path, patternBytes(0, 300_000, 9));
    await utimes(path, new Date(2024, 0, 1), new Date(2024, 0, 1));
    const src = await HttpRangeSource.open(`${nginx.url}/b.bin`, { headBytes: 100 });
    await writeFile(path, patternBytes(0, 300_000, 10));
    const err = await src.readInto(5000, new Uint8Array(1000)).catch((e) => e);
    expect(err.code, String(err)).toBe('SOURCE_CHANGED');
    expect(err.message).toContain('b.bin');
  });
});
