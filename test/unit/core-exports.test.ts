/**
 * CoreExports (src/core/exports.ts) is written by hand: this keeps it equal to what each core build exports,
 * so a new or renamed export in assembly/ fails here instead of at a call. The status globals are mirrored
 * in src/core/status.ts and checked when a core is instantiated.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Status } from '../../src/core/status.ts';

const source = readFileSync(new URL('../../src/core/exports.ts', import.meta.url), 'utf8');
const body = source.slice(source.indexOf('export interface CoreExports {'));
const declared = [...body.matchAll(/^ {2}(?:readonly )?(\w+)[(:]/gm)].map((m) => m[1]).sort();

for (const file of ['core.wasm', 'core.relaxed.wasm']) {
  it(`lists exactly the exports of build/${file}`, () => {
    const module = new WebAssembly.Module(readFileSync(new URL(`../../build/${file}`, import.meta.url)));
    const actual = WebAssembly.Module.exports(module).map((e) => e.name).filter((n) => !(n in Status)).sort();
    expect(declared).toEqual(actual);
  });
}
