"""Writes test/vectors/quant/<TYPE>.json: raw GGUF weight blocks and ggml's reference dequantization.

Run by hand (needs the Python package `gguf` 0.19 and numpy; tests do not need Python):

    python -m venv /tmp/g && /tmp/g/bin/pip install gguf==0.19.0 numpy
    /tmp/g/bin/python scripts/make-quant-vectors.py

For each of F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K it draws random blocks
(seeded, so a rerun writes the same files) whose f16 scale fields include the edge values zero, the smallest
subnormal, the largest subnormal, negative, and ±max finite f16 (65504), then stores
  - `blocks`: the raw block bytes, base64, exactly as a GGUF file holds them, and
  - `dequant`: `gguf.quants.dequantize(blocks, type)` as little-endian f32 bytes, base64,
so the kernels' decoders are compared bit for bit with ggml's reference arithmetic.
"""

import base64
import importlib.metadata
import json
import os

import numpy as np
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType as T
from gguf.quants import dequantize

SEED = 20261124
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'vectors', 'quant')

# f16 bit patterns of the edge scales: zero, -zero, smallest subnormal, largest subnormal, negative, max, -max.
EDGE_F16 = [0x0000, 0x8000, 0x0001, 0x03FF, 0xB555, 0x7BFF, 0xFBFF, 0x0400]

# Byte offsets of the f16 scale fields inside one block (d, and dmin/m where the format has one).
SCALE_FIELDS = {
    T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2], T.Q8_0: [0],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}
N_BLOCKS = {T.Q4_0: 16, T.Q4_1: 16, T.Q5_0: 16, T.Q5_1: 16, T.Q8_0: 16,
            T.Q2_K: 10, T.Q3_K: 10, T.Q4_K: 10, T.Q5_K: 10, T.Q6_K: 10}


def random_finite_f16(rng: np.random.Generator, n: int) -> np.ndarray:
    """Typical scales (|d| in [2^-14, 2^-1]) with random sign; exponent field 1..14, random mantissa."""
    sign = rng.integers(0, 2, n, dtype=np.uint16) << 15
    exp = rng.integers(1, 15, n, dtype=np.uint16) << 10
    man = rng.integers(0, 1024, n, dtype=np.uint16)
    return sign | exp | man


def quant_blocks(rng: np.random.Generator, qtype: T) -> np.ndarray:
    n = N_BLOCKS[qtype]
    _, bytes_per_block = GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, (n, bytes_per_block), dtype=np.uint8)
    for f, off in enumerate(SCALE_FIELDS[qtype]):
        scales = random_finite_f16(rng, n)
        # Field f of block i takes edge value (i + 3f); the last 3+ blocks keep typical scales.
        for i in range(min(n - 3, len(EDGE_F16))):
            scales[i] = EDGE_F16[(i + 3 * f) % len(EDGE_F16)]
        blocks[:, off:off + 2] = scales.view(np.uint8).reshape(n, 2)
    return blocks


def float_elements(rng: np.random.Generator, qtype: T) -> np.ndarray:
    """256 elements: random finite values plus zeros, subnormals, ±max, ±inf and a quiet NaN."""
    if qtype == T.F32:
        edge = np.array([0x00000000, 0x80000000, 0x00000001, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0xFF7FFFFF,
                         0x7F800000, 0xFF800000, 0x7FC00000, 0x3F800000, 0xBF800000], dtype=np.uint32)
        rnd = rng.standard_normal(256 - len(edge)).astype(np.float32).view(np.uint32)
        return np.concatenate([edge, rnd]).view(np.uint8)
    if qtype == T.F16:
        edge = np.array(EDGE_F16 + [0x7C00, 0xFC00, 0x7E00, 0x3C00, 0xBC00], dtype=np.uint16)
        rnd = rng.integers(0, 0x7C00, 256 - len(edge), dtype=np.uint16) | (rng.integers(0, 2, 256 - len(edge), dtype=np.uint16) << 15)
        return np.concatenate([edge, rnd]).view(np.uint8)
    # BF16: any 16-bit pattern is the top half of an f32.
    edge = np.array([0x0000, 0x8000, 0x0001, 0x007F, 0x0080, 0x7F7F, 0xFF7F, 0x7F80, 0xFF80, 0x7FC0, 0x3F80], dtype=np.uint16)
    rnd = rng.integers(0, 0x10000, 256 - len(edge), dtype=np.uint16)
    return np.concatenate([edge, rnd]).view(np.uint8)


def reference(raw: np.ndarray, qtype: T) -> np.ndarray:
    if qtype == T.BF16:
        # gguf's BF16 dequantizer: bits << 16 (ggml_compute_bf16_to_fp32).
        return dequantize(raw.reshape(-1, 2), qtype).reshape(-1).astype(np.float32)
    return np.asarray(dequantize(raw, qtype), dtype=np.float32).reshape(-1)


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode('ascii')


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    types = [T.F32, T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]
    for qtype in types:
        rng = np.random.default_rng([SEED, int(qtype)])
        block_size, bytes_per_block = GGML_QUANT_SIZES[qtype]
        raw = float_elements(rng, qtype) if qtype in (T.F32, T.F16, T.BF16) else quant_blocks(rng, qtype)
        raw = raw.reshape(-1).astype(np.uint8)
        values = reference(raw, qtype).astype('<f4')
        n_blocks = raw.size // bytes_per_block
        assert values.size == n_blocks * block_size
        doc = {
            'type': qtype.name, 'typeId': int(qtype), 'blockSize': block_size, 'blockBytes': bytes_per_block,
            'blocks': n_blocks, 'elements': int(values.size), 'seed': SEED,
            'generator': f'scripts/make-quant-vectors.py, gguf {importlib.metadata.version("gguf")} gguf.quants.dequantize',
            'raw': b64(raw), 'dequant': b64(values),
        }
        path = os.path.join(OUT, f'{qtype.name}.json')
        with open(path, 'w') as f:
            json.dump(doc, f, indent=1)
            f.write('\n')
        print(f'{path}: {n_blocks} blocks, {values.size} values')


if __name__ == '__main__':
    main()
