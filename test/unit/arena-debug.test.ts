// The debug build of the core (assertions compiled in, see assembly/common.ts DEBUG),
// compiled here in memory from assembly/ so this file never runs a stale binary.
import asc from 'assemblyscript/asc';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/core/core.ts';
import { u32At } from '../../src/core/view.ts';
import { stress } from '../cases/arena-stress.ts';

let debugWasm: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  const files = new Map<string, Uint8Array | string>();
  const errors: string[] = [];
  const r = await asc.main(['--config', 'asconfig.json', '--target', 'debug', '--outFile', 'core.debug.wasm'], {
    writeFile: (name, contents) => void files.set(name, contents),
    stderr: { write: (s: string | Uint8Array) => void errors.push(String(s)) } as never,
  });
  expect(r.error, errors.join('')).toBeNull();
  debugWasm = new Uint8Array(files.get('core.debug.wasm') as Uint8Array);
}, 60_000);

describe('arena and KV pool, debug build', () => {
  it('imports env.abort, so its assertions are compiled in', () => {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(debugWasm));
    expect(imports.map((i) => `${i.module}.${i.name}`)).toContain('env.abort');
  });

  it('survives 3000 random alloc/free/pin/compact steps with every assertion on', async () => {
    await stress(3, 3000, debugWasm);
  });

  it('churns KV sequences with every assertion on', async () => {
    const { kv } = await createCore({ arenaBytes: 1 << 20, kv: { pages: 32, pageElems: 256, dtype: 'f16' }, module: debugWasm });
    const live: number[] = [];
    for (let step = 0; step < 2000; step++) {
      if (live.length > 0 && (step % 7 === 0 || kv!.freePages === 0)) kv!.seqFree(live.splice(step % live.length, 1)[0]!);
      else if (step % 5 === 0 && live.length < 8) live.push(kv!.seqCreate());
      else if (live.length > 0) kv!.seqAppend(live[step % live.length]!, new Float32Array(16).fill(step), new Float32Array(16).fill(-step));
      kv!.check();
    }
  });

  it('turns a failed assertion into WASM_ABORT naming the file and line', async () => {
    const { arena, memory } = await createCore({ arenaBytes: 4096, maxBlocks: 8, module: debugWasm });
    const h = arena.alloc(64);
    // assembly/init.ts: the node table follows the budget; a record is 8 u32, `next` at word 3
    u32At(memory, arena.base + arena.capacity, 8 * 18)[(h & 0x3ffff) * 8 + 3] = 1000;
    expect(() => arena.free(h)).toThrow(expect.objectContaining({ code: 'WASM_ABORT', message: expect.stringMatching(/assembly\/nodes\.ts:\d+/) }));
  });
});
