/**
 * ggml's reference numbers for each weight type: raw GGUF blocks and gguf.quants.dequantize's f32 output, from
 * test/vectors/quant/<TYPE>.json (written by scripts/make-quant-vectors.py; see its header to rerun it).
 */
import F32 from '../vectors/quant/F32.json';
import F16 from '../vectors/quant/F16.json';
import BF16 from '../vectors/quant/BF16.json';
import Q4_0 from '../vectors/quant/Q4_0.json';
import Q4_1 from '../vectors/quant/Q4_1.json';
import Q5_0 from '../vectors/quant/Q5_0.json';
import Q5_1 from '../vectors/quant/Q5_1.json';
import Q8_0 from '../vectors/quant/Q8_0.json';
import type { K1Type } from './kernel-setup.ts';

interface VectorFile {
  type: string;
  typeId: number;
  blockSize: number;
  blockBytes: number;
  blocks: number;
  elements: number;
  raw: string;
  dequant: string;
}

export interface QuantVector {
  type: string;
  typeId: number;
  blockSize: number;
  blockBytes: number;
  blocks: number;
  raw: Uint8Array;
  dequant: Uint32Array;
}

const FILES: Record<K1Type, VectorFile> = { F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 };

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function quantVector(type: K1Type): QuantVector {
  const f = FILES[type];
  const deq = fromBase64(f.dequant);
  return {
    type: f.type,
    typeId: f.typeId,
    blockSize: f.blockSize,
    blockBytes: f.blockBytes,
    blocks: f.blocks,
    raw: fromBase64(f.raw),
    dequant: new Uint32Array(deq.buffer, deq.byteOffset, f.elements),
  };
}
