/**
 * A model to write, tensor by tensor: its metadata and, per tensor, name,
 * type, shape and a function making its bytes. `planLayout` places it (the
 * writer's header); `planBytes` builds a small model in memory; `planChunks`
 * yields the file in order (header, then each tensor and its padding), so a
 * script can stream a large one to disk holding one tensor at a time.
 */
import { ggufHeaderBytes, type GgufLayout, type GgufWriteTensor, type MetadataEntry } from './write.ts';

export interface PlannedTensor {
  name: string;
  type: GgufWriteTensor['type'];
  dims: readonly number[];
  /** The tensor's bytes, made when asked (exactly its byte size). */
  bytes: () => Uint8Array;
}

export interface ModelPlan {
  metadata: MetadataEntry[];
  tensors: PlannedTensor[];
}

export function planLayout(plan: ModelPlan): GgufLayout {
  return ggufHeaderBytes({ metadata: plan.metadata, tensors: plan.tensors.map(({ name, type, dims }) => ({ name, type, dims })) });
}

/** The file in order: header, then each tensor's bytes followed by its alignment padding. */
export function* planChunks(plan: ModelPlan, layout: GgufLayout = planLayout(plan)): Generator<Uint8Array> {
  yield layout.header;
  let at = layout.header.length;
  for (let i = 0; i < plan.tensors.length; i++) {
    const place = layout.tensors[i];
    if (place.offset > at) yield new Uint8Array(place.offset - at);
    const data = plan.tensors[i].bytes();
    if (data.length !== place.size) throw new Error(`tensor ${place.name}: made ${data.length} bytes, its shape needs ${place.size}`);
    yield data;
    at = place.offset + place.size;
  }
  if (layout.fileSize > at) yield new Uint8Array(layout.fileSize - at);
}

/** The whole file in memory (small models: tests, reference vectors). */
export function planBytes(plan: ModelPlan): Uint8Array<ArrayBuffer> {
  const layout = planLayout(plan);
  const out = new Uint8Array(layout.fileSize);
  let at = 0;
  for (const chunk of planChunks(plan, layout)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Lowercase hex SHA-256 of bytes (WebCrypto: Node ≥ 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
