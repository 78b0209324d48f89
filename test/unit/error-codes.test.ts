/**
 * docs/errors.md has one row for every ErrorCode of src/errors.ts, and nothing else; and every code is
 * thrown (or mapped from a core status) somewhere in src/, so the union holds no dead codes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/core.ts';
import { isGgufPagerError } from '../../src/errors.ts';
import { computeOf } from '../../src/engine/kernel-api.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const errorsTs = readFileSync(join(root, 'src/errors.ts'), 'utf8');
const union = errorsTs.slice(errorsTs.indexOf('export type ErrorCode'), errorsTs.indexOf(';', errorsTs.indexOf('export type ErrorCode')));
const codes = [...union.matchAll(/\|\s*'([A-Z0-9_]+)'/g)].map((m) => m[1]);
const table = [...readFileSync(join(root, 'docs/errors.md'), 'utf8').matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : [],
  );
}

describe('error codes', () => {
  it('reads the codes of the union', () => {
    expect(codes.length).toBeGreaterThan(60);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('docs/errors.md has one row per code, and no row for a code that does not exist', () => {
    expect([...table].sort()).toEqual([...codes].sort());
  });

  it('every code is used somewhere in src/ besides its declaration', () => {
    const text = sources(join(root, 'src'))
      .filter((s) => s !== errorsTs)
      .join('\n');
    expect(codes.filter((c) => !text.includes(`'${c}'`))).toEqual([]);
  });
});

describe('codes where they belong', () => {
  it('a core without kernels is WASM_LOAD (not KERNEL_TYPE, which names a weight type)', () => {
    let err: unknown;
    try {
      computeOf({} as Core);
    } catch (e) {
      err = e;
    }
    expect(isGgufPagerError(err, 'WASM_LOAD'), String(err)).toBe(true);
  });
});
