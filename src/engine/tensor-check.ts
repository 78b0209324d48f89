/**
 * The load-time check of a model against its architecture's declaration:
 * every block has the declared tensors with the declared shapes (optional ones
 * checked when present), and every matrix has a kernel. UNSUPPORTED_* at load,
 * not mid-generation.
 */
import { GgufPagerError } from '../errors.ts';
import type { GgufModel, TensorInfo } from '../gguf/types.ts';
import type { Architecture, TensorDecl } from './arch/types.ts';
import { tensorOf, type HParams } from './hparams.ts';
import type { KernelApi } from './kernel-api.ts';

export function checkTensors(model: GgufModel, arch: Architecture, hp: HParams, kernels: KernelApi, label: string): void {
  const byName = new Map(model.tensors.map((t) => [t.name, t]));
  const check = (full: string, d: TensorDecl): void => {
    const t = byName.get(full);
    if (!t) {
      if (d.optional) return;
      throw new GgufPagerError('MODEL_INCOMPLETE', `${label}: ${hp.arch} has no tensor ${full}`, { architecture: hp.arch, tensor: full });
    }
    const want = d.dims(hp);
    if (!sameDims(t, want)) {
      throw new GgufPagerError(
        'MODEL_INCOMPLETE',
        `${label}: ${hp.arch} tensor ${full} is ${t.dims.join('×')}, the hyper-parameters make it ${want.join('×')}`,
        { architecture: hp.arch, tensor: full, dims: t.dims, expected: want },
      );
    }
  };
  for (let i = 0; i < hp.nLayer; i++) for (const d of arch.blockTensors) check(`blk.${i}.${d.name}`, d);
  for (const d of arch.globalTensors ?? []) check(d.name, d);
  if (!arch.features.encoder) tensorOf(model, 'output_norm.weight', hp.arch);
  for (const t of model.tensors) {
    const matrix = t.dims.length >= 2 && t.dims[1] > 1;
    const ok = matrix ? kernels.supports(t.type) : t.type === 0;
    if (!ok) {
      throw new GgufPagerError('UNSUPPORTED_TENSOR_TYPE', `${label}: tensor ${t.name} is ${t.typeName}, which the kernels do not compute`, {
        tensor: t.name,
        type: t.typeName,
      });
    }
  }
}

function sameDims(t: TensorInfo, want: number[]): boolean {
  const got = [...t.dims];
  while (got.length > want.length && got[got.length - 1] === 1) got.pop();
  return got.length === want.length && got.every((v, i) => v === want[i]);
}
