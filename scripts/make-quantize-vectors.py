#!/usr/bin/env python3
"""Writes test/vectors/quantize.json for test/unit/quantize.test.ts from ggml's own reference code, on small
f32 rows. Dev script, run by hand (needs python `gguf` and numpy, and llama.cpp's libggml-base.so, e.g. the
prebuilt that node-llama-cpp installs):

    python3 -m venv /tmp/g && /tmp/g/bin/pip install gguf
    /tmp/g/bin/python scripts/make-quantize-vectors.py --llama-dir <dir holding node_modules/node-llama-cpp>

- legacy types, F16, BF16: the bytes `gguf.quants.quantize` gives for each input row (python gguf ports
  ggml-quants.c to numpy, but only for these types);
- K-quants: the bytes ggml's C `quantize_row_q{2,3,4,5,6}_K_ref` gives (libggml-base.so through ctypes);
- every type: `gguf.quants.dequantize` of the bytes above (the dequantizer's oracle), plus random K blocks.
"""
import argparse, base64, ctypes, glob, json, os, sys
import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument('--llama-dir', required=True, help='a directory whose node_modules holds node-llama-cpp and its prebuilt binaries')
ap.add_argument('--ggml-lib', help='path of libggml-base.so (default: found under --llama-dir)')
args = ap.parse_args()
libs = [args.ggml_lib] if args.ggml_lib else sorted(glob.glob(os.path.join(args.llama_dir, 'node_modules', '@node-llama-cpp', '*', 'bins', '*', 'libggml-base.so')))
if not libs:
    sys.exit('libggml-base.so not found under %s/node_modules/@node-llama-cpp/*/bins/*' % args.llama_dir)
GGML = ctypes.CDLL(libs[0])
NLC_VERSION = json.load(open(os.path.join(args.llama_dir, 'node_modules', 'node-llama-cpp', 'package.json')))['version']
N = 256
rng = np.random.default_rng(20261124)

def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()

rows = {
    'normal': rng.normal(0, 1, N),
    'small': rng.normal(0, 0.02, N),
    'heavy': rng.standard_t(3, N) * 0.1,
    'positive': np.abs(rng.normal(0.5, 0.2, N)),
    # halves and quarters hit the rounding ties of every type; one block of zeros, one with a single value
    'ties': np.concatenate([np.arange(-16, 16) * 0.5, np.zeros(32), np.eye(1, 32, 5)[0] * -3.0, (np.arange(160) - 80) * 0.25]),
    # f16 edges: subnormals, the largest half, overflow to inf
    'range': np.concatenate([rng.normal(0, 1e-6, 64), rng.normal(0, 1e3, 64), [65504, 65520, -70000, 6e-8, 3e-8, 1e-9, -0.0, 0.0],
                             rng.uniform(-1, 1, 120)]),
}
rows = {k: np.asarray(v, dtype=np.float32) for k, v in rows.items()}
assert all(len(v) == N for v in rows.values())

LEGACY = ['F16', 'BF16', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0']
KQ = ['Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K']

out = {'source': 'legacy, F16, BF16: python gguf %s (gguf.quants), numpy %s; K-quants: ggml quantize_row_*_K_ref from libggml-base.so of node-llama-cpp %s; dequantized: gguf.quants.dequantize'
                 % (getattr(sys.modules['gguf'], '__version__', '0.19'), np.__version__, NLC_VERSION),
       'n': N, 'inputs': {k: b64(v) for k, v in rows.items()}, 'quantized': {}, 'dequantized': {}, 'randomBlocks': {}}

for t in LEGACY:
    qt = T[t]
    out['quantized'][t] = {}
    out['dequantized'][t] = {}
    for name, x in rows.items():
        q = quants.quantize(x, qt)
        raw = q.view(np.uint8) if q.dtype != np.uint8 else q
        out['quantized'][t][name] = b64(raw)
        out['dequantized'][t][name] = b64(quants.dequantize(raw, qt).astype(np.float32))

# K-quant bytes from ggml's C reference: void quantize_row_qN_K_ref(const float * x, block_qN_K * y, int64_t k)
def ggml_quantize_ref(t: str, x: np.ndarray) -> str:
    fn = getattr(GGML, 'quantize_row_%s_ref' % t.lower().replace('_k', '_K'))
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    fn.restype = None
    x = np.ascontiguousarray(x, dtype=np.float32)
    y = np.zeros(quants.GGML_QUANT_SIZES[T[t]][1] * (len(x) // 256), dtype=np.uint8)
    fn(x.ctypes.data, y.ctypes.data, len(x))
    return b64(y)

kbytes = {t: {name: ggml_quantize_ref(t, x) for name, x in rows.items()} for t in KQ}
for t in KQ:
    qt = T[t]
    out['quantized'][t] = kbytes[t]
    out['dequantized'][t] = {}
    for name, b in kbytes[t].items():
        raw = np.frombuffer(base64.b64decode(b), dtype=np.uint8)
        out['dequantized'][t][name] = b64(quants.dequantize(raw, qt).astype(np.float32))

# random K blocks: every bit pattern of levels and scales, f16 scale fields kept small and finite
SCALE_FIELDS = {'Q2_K': [80, 82], 'Q3_K': [108], 'Q4_K': [0, 2], 'Q5_K': [0, 2], 'Q6_K': [208]}
for t in KQ:
    qt = T[t]
    size = quants.GGML_QUANT_SIZES[qt][1]
    raw = rng.integers(0, 256, size * 4, dtype=np.uint8)
    for b in range(4):
        for off in SCALE_FIELDS[t]:
            raw[b * size + off: b * size + off + 2] = np.array([rng.uniform(-0.05, 0.05)], dtype=np.float16).view(np.uint8)
    out['randomBlocks'][t] = {'bytes': b64(raw), 'dequantized': b64(quants.dequantize(raw, qt).astype(np.float32))}

path = os.path.join(ROOT, 'test', 'vectors', 'quantize.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1)
print('wrote', path, os.path.getsize(path), 'bytes')
