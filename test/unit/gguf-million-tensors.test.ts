/**
 * A hostile header's memory: a GGUF that lists 2^20 tiny tensors (about 76 MB,
 * the most the default limits admit). The parsed tensor table costs bytes per
 * tensor (typed arrays, tensor-table.ts), not an object per tensor, and
 * `gguf-pager inspect` prints it without overflowing the stack.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { inspectText } from '../../src/cli/inspect.ts';
import { DEFAULT_GGUF_LIMITS } from '../../src/gguf/limits.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { tableOf } from '../../src/gguf/tensor-table.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import type { GgufModel } from '../../src/gguf/types.ts';

const COUNT = DEFAULT_GGUF_LIMITS.maxTensorCount;
const ALIGN = 32;

/** GGUF v3, no metadata, COUNT F32 tensors `t.<i>` of one element each, written field by field. */
function millionTensorFile(): { bytes: Uint8Array; infoBytes: number } {
  const names = Array.from({ length: COUNT }, (_, i) => `t.${i}`);
  const infoBytes = names.reduce((n, s) => n + 8 + s.length + 4 + 8 + 4 + 8, 0);
  const dataAt = Math.ceil((24 + infoBytes) / ALIGN) * ALIGN;
  const bytes = new Uint8Array(dataAt + COUNT * ALIGN);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, 0x46554747, true);
  v.setUint32(4, 3, true);
  v.setBigUint64(8, BigInt(COUNT), true);
  v.setBigUint64(16, 0n, true);
  let at = 24;
  names.forEach((name, i) => {
    v.setBigUint64(at, BigInt(name.length), true);
    for (let k = 0; k < name.length; k++) bytes[at + 8 + k] = name.charCodeAt(k);
    at += 8 + name.length;
    v.setUint32(at, 1, true);
    v.setBigUint64(at + 4, 1n, true);
    v.setUint32(at + 12, 0, true);
    v.setBigUint64(at + 16, BigInt(i * ALIGN), true);
    at += 24;
  });
  return { bytes, infoBytes };
}

/** A full GC (the flag set at run time: the unit project runs without --expose-gc). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** The parsed file, kept by the first test for the second (each parse of 2^20 tensors takes seconds). */
let parsed: GgufModel | undefined;

const retained = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

it('keeps the table of 2^20 parsed tensors in bytes proportional to the header, not an object per tensor', async () => {
  const { bytes, infoBytes } = millionTensorFile();
  const source = new MemorySource(bytes, 'million.gguf');
  collect();
  const before = retained();
  const model = await parseGguf(source);
  parsed = model;
  collect();
  const grown = retained() - before;
  expect(model.tensors.length).toBe(COUNT);
  // The whole retained growth (heap and array buffers) stays within 3x the tensor infos' own bytes on disk
  // (about 41 bytes a tensor here): 68 bytes a tensor measured, with room for what the GC has not yet returned.
  // One object per tensor retained 346 bytes a tensor (8.6x).
  expect(grown, `retained ${grown} bytes for ${infoBytes} bytes of tensor infos`).toBeLessThan(3 * infoBytes);
  const table = tableOf(model.tensors)!;
  expect(table, 'a typed-array table').toBeDefined();
  expect(table.byteLength / COUNT, 'table bytes per tensor').toBeLessThan(64);
  // The accessors still work, by index, name and iteration.
  expect(model.tensors[123_456]).toEqual({
    name: 't.123456',
    type: 0,
    typeName: 'F32',
    dims: [1],
    relativeOffset: 123_456 * ALIGN,
    offset: model.tensorDataOffset + 123_456 * ALIGN,
    size: 4,
    shard: 0,
  });
  expect(table.indexOf('t.1048575')).toBe(COUNT - 1);
  expect(model.tensors.at(-1)?.name).toBe('t.1048575');
  expect(model.totalTensorBytes).toBe(4 * COUNT);
}, 120_000);

it('gguf-pager inspect prints the 2^20-tensor file (no stack overflow from a spread)', async () => {
  const model = parsed ?? (await parseGguf(new MemorySource(millionTensorFile().bytes, 'million.gguf')));
  const text = inspectText(model);
  expect(text).toContain(`tensors       ${COUNT} (${COUNT} F32)`);
  expect(text).toContain('t.1048575');
}, 120_000);
