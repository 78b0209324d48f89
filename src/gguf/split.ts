/**
 * Split GGUF (llama.cpp `gguf-split`): a model cut into files named
 * `name-00001-of-00003.gguf` …, each a complete GGUF file with its own header
 * and tensor data, tagged with `split.no` (0-based), `split.count` and
 * `split.tensors.count` (the total over all shards). Here they become one
 * model with one tensor map; each tensor's `shard` says which file holds it.
 */
import { GgufPagerError } from '../errors.ts';
import { list, tableOf, TensorTable } from './tensor-table.ts';
import type { PagerSource } from '../sources/source.ts';
import { parseGgufFile, type ParseOptions } from './parse-file.ts';
import type { GgufModel } from './types.ts';

const SHARD_RE = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

/**
 * All shard names of the split model `name` belongs to (any shard's name
 * works; a query string or fragment is kept). A name that is not a shard name
 * comes back alone.
 */
export function splitShardNames(name: string): string[] {
  const cut = name.search(/[?#]/);
  const base = cut < 0 ? name : name.slice(0, cut);
  const suffix = cut < 0 ? '' : name.slice(cut);
  const m = SHARD_RE.exec(base);
  if (!m) return [name];
  const no = Number(m[2]);
  const count = Number(m[3]);
  if (count < 1 || no < 1 || no > count) {
    throw new GgufPagerError('GGUF_BAD_SPLIT', `${name}: shard ${no} of ${count} is not a valid shard number`, { source: name, no, count });
  }
  const names: string[] = [];
  for (let i = 1; i <= count; i++) names.push(`${m[1]}-${String(i).padStart(5, '0')}-of-${m[3]}.gguf${suffix}`);
  return names;
}

function splitError(src: string, message: string, details: Record<string, unknown>): GgufPagerError {
  return new GgufPagerError('GGUF_BAD_SPLIT', `${src}: ${message}`, { source: src, ...details });
}

function checkShard(model: GgufModel, index: number, count: number): void {
  const src = model.shards[0].name;
  const declaredCount = model.metadata.get('split.count');
  const declaredNo = model.metadata.get('split.no');
  if (count === 1 && declaredCount === undefined) return;
  if (declaredCount !== count) {
    throw splitError(src, `split.count is ${String(declaredCount)} but ${count} shard(s) were given`, { index, declared: declaredCount, count });
  }
  if (declaredNo !== index) {
    throw splitError(src, `split.no is ${String(declaredNo)} but the file was given as shard ${index} (0-based)`, { index, declared: declaredNo });
  }
}

/** One model over every shard, in order (shard 0 first). */
export async function parseGgufSplit(sources: readonly PagerSource[], opts: ParseOptions = {}): Promise<GgufModel> {
  if (sources.length === 0) throw new GgufPagerError('GGUF_BAD_SPLIT', 'no GGUF shards given', { count: 0 });
  const shards = await Promise.all(sources.map((s) => parseGgufFile(s, opts)));
  shards.forEach((m, i) => checkShard(m, i, sources.length));
  const first = shards[0];
  const total = shards.reduce((n, m) => n + m.tensors.length, 0);
  const declaredTotal = first.metadata.get('split.tensors.count');
  if (declaredTotal !== undefined && declaredTotal !== total) {
    throw splitError(first.shards[0].name, `split.tensors.count is ${String(declaredTotal)} but the shards hold ${total} tensors`, {
      declared: declaredTotal,
      total,
    });
  }
  if (shards.length === 1) return first;
  const tables = shards.map((m) => tableOf(m.tensors) ?? TensorTable.from(m.tensors));
  const tensors = list(
    TensorTable.concat(
      tables,
      sources.map((s) => s.name),
    ),
  );
  return {
    ...first,
    tensors,
    shards: shards.map((m) => m.shards[0]),
    totalTensorBytes: shards.reduce((n, m) => n + m.totalTensorBytes, 0),
  };
}
