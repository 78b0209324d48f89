/**
 * gguf-pager inspect <file|url> [--json]
 *
 * Prints a GGUF header. `--json`: exactly one JSON object
 *   { version, alignment, tensorDataOffset, fileSize, metadata: { key: value },
 *     tensors: [ { name, type, dims, offset, size } ] }
 * tensors in file order, `offset` absolute, `type` the ggml type name, whole
 * metadata arrays; integers a JSON number cannot hold exactly (bigints) and
 * non-finite floats (NaN, ±Infinity) are written as strings (and -0 as 0, as
 * JSON.stringify does). A split model
 * (`name-00001-of-00003.gguf`, any shard named) is opened whole and adds
 * `shards` and each tensor's `shard`. Without `--json`: a readable summary.
 */
import { parseGguf } from '../gguf/parse.ts';
import { splitShardNames } from '../gguf/split.ts';
import { GgufValueType, type GgufModel, type GgufValue, type TensorInfo } from '../gguf/types.ts';
import { FileSource } from '../sources/file.ts';
import { HttpRangeSource } from '../sources/http/source.ts';
import type { PagerSource } from '../sources/source.ts';
import { formatBytes, formatCount, parseArgv } from './args.ts';

const USAGE = 'usage: gguf-pager inspect <file|url> [--json]';
const ARRAY_PREVIEW = 6;
const STRING_PREVIEW = 72;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function jsonValue(v: GgufValue): Json {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return v.map(jsonValue);
  return v;
}

/** The `--json` object for a parsed model. Metadata keys such as `__proto__` stay plain keys. */
export function inspectJson(model: GgufModel): Json {
  const metadata: { [key: string]: Json } = Object.create(null);
  for (const [k, v] of model.metadata) metadata[k] = jsonValue(v);
  const split = model.shards.length > 1;
  const out: { [key: string]: Json } = {
    version: model.version,
    alignment: model.alignment,
    tensorDataOffset: model.tensorDataOffset,
    fileSize: model.fileSize,
    metadata,
    tensors: model.tensors.map((t) => ({
      name: t.name,
      type: t.typeName,
      dims: t.dims,
      offset: t.offset,
      size: t.size,
      ...(split ? { shard: t.shard } : {}),
    })),
  };
  if (split) out.shards = model.shards.map((s) => ({ name: s.name, tensorDataOffset: s.tensorDataOffset, fileSize: s.fileSize }));
  return out;
}

/** The shortest decimal that reads back as the same 32-bit float. */
function shortFloat32(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

function preview(v: GgufValue, f32 = false): string {
  if (f32 && typeof v === 'number' && Number.isFinite(v)) return shortFloat32(v);
  if (typeof v === 'string')
    return JSON.stringify(v.length > STRING_PREVIEW ? `${v.slice(0, STRING_PREVIEW)}…` : v) + (v.length > STRING_PREVIEW ? ` (${v.length} chars)` : '');
  if (typeof v === 'bigint') return v.toString();
  if (!Array.isArray(v)) return String(v);
  const shown = v
    .slice(0, ARRAY_PREVIEW)
    .map((x) => preview(x, f32))
    .join(', ');
  return v.length > ARRAY_PREVIEW ? `[${shown}, … ${v.length - ARRAY_PREVIEW} more] (${v.length} items)` : `[${shown}]`;
}

function isFloat32(model: GgufModel, key: string): boolean {
  const t = model.metadataArrayTypes?.get(key) ?? model.metadataTypes.get(key);
  return t === GgufValueType.FLOAT32 || (typeof t === 'object' && t.array === GgufValueType.FLOAT32);
}

function groupOf(name: string): string {
  const m = /^blk\.(\d+)\./.exec(name);
  return m ? `blk.${m[1]}` : 'global';
}

function elementsOf(t: TensorInfo): number {
  return t.dims.reduce((n, d) => n * d, 1);
}

/** One line per tensor, grouped by block; holds indices, not the tensors (a header may list a million). */
function tensorLines(model: GgufModel): string[] {
  const tensors = model.tensors;
  const groups = new Map<string, number[]>();
  let width = 0;
  for (let i = 0; i < tensors.length; i++) {
    const name = tensors[i].name;
    width = Math.max(width, name.length);
    const g = groupOf(name);
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  }
  const lines: string[] = [];
  for (const [g, ids] of groups) {
    let bytes = 0;
    for (const i of ids) bytes += tensors[i].size;
    lines.push(`  ${g}: ${ids.length} tensors, ${formatBytes(bytes)}`);
    for (const i of ids) {
      const t = tensors[i];
      const where = model.shards.length > 1 ? `shard ${t.shard} @ ${t.offset}` : `@ ${t.offset}`;
      lines.push(`    ${t.name.padEnd(width)}  ${t.typeName.padEnd(7)} ${`[${t.dims.join(', ')}]`.padEnd(16)} ${formatBytes(t.size).padStart(10)}  ${where}`);
    }
  }
  return lines;
}

/** The human-readable summary. */
export function inspectText(model: GgufModel): string {
  const byType = new Map<string, number>();
  for (const t of model.tensors) byType.set(t.typeName, (byType.get(t.typeName) ?? 0) + 1);
  const params = model.tensors.reduce((n, t) => n + elementsOf(t), 0);
  const types = [...byType].map(([k, n]) => `${n} ${k}`).join(', ');
  const lines = [
    `file          ${model.shards.map((s) => s.name).join(', ')} (${formatBytes(model.shards.reduce((n, s) => n + s.fileSize, 0))})`,
    `format        GGUF v${model.version}, alignment ${model.alignment}, tensor data at byte ${model.tensorDataOffset}`,
    `architecture  ${String(model.metadata.get('general.architecture') ?? '(none)')}`,
    ...(model.metadata.has('general.name') ? [`name          ${String(model.metadata.get('general.name'))}`] : []),
    `parameters    ${formatCount(params)} (${params})`,
    `tensors       ${model.tensors.length}${types ? ` (${types})` : ''}, ${formatBytes(model.totalTensorBytes)}`,
    '',
    `metadata (${model.metadata.size} keys)`,
    ...[...model.metadata].map(([k, v]) => `  ${k} = ${preview(v, isFloat32(model, k))}`),
  ];
  // Not `push(...tensorLines(model))`: a million arguments overflow the stack.
  return (model.tensors.length ? lines.concat('', 'tensors by block', tensorLines(model)) : lines).join('\n');
}

function openSource(name: string): Promise<PagerSource> {
  return /^https?:\/\//i.test(name) ? HttpRangeSource.open(name) : FileSource.open(name);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgv(argv, { flags: ['--json'], positionals: 1, usage: USAGE });
  const names = splitShardNames(args.positionals[0]);
  const opened = await Promise.allSettled(names.map(openSource));
  const sources = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const model = await parseGguf(sources.length === 1 ? sources[0] : sources);
    process.stdout.write((args.flags.has('--json') ? JSON.stringify(inspectJson(model)) : inspectText(model)) + '\n');
    return 0;
  } finally {
    await Promise.all(sources.map((s) => s.close?.()));
  }
}
