#!/usr/bin/env python3
"""Writes test/vectors/quantize.json: ggml's reference (python `gguf` 0.19, ggml-quants.c ported to
numpy) on small f32 rows, for test/unit/quantize.test.ts. Dev script, run by hand:

    npm run -s build:node && /tmp/g/bin/python scripts/make-quantize-vectors.py

- legacy types, F16, BF16: the bytes `gguf.quants.quantize` gives for each input row;
- K-quants (python has no K quantizer): the bytes our own quantizer gives (run through node from
  dist/), and `gguf.quants.dequantize` of those bytes, plus of random K blocks with sane scales;
- every type: `gguf.quants.dequantize` of the bytes above (the dequantizer's oracle).
"""
import base64, json, os, subprocess, sys
import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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

out = {'source': 'python gguf %s (gguf.quants), numpy %s' % (getattr(sys.modules['gguf'], '__version__', '0.19'), np.__version__),
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

# K-quant bytes from our quantizer (dist/ build of src/gguf/quantize)
script = """
import { readFileSync } from 'node:fs';
import { quantizeRow } from './dist/src/gguf/quantize/index.js';
const { types, rows } = JSON.parse(readFileSync(0, 'utf8'));
const res = {};
for (const t of types) {
  res[t] = {};
  for (const [name, b] of Object.entries(rows)) {
    const buf = Buffer.from(b, 'base64');
    const x = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    res[t][name] = Buffer.from(quantizeRow(t, x)).toString('base64');
  }
}
process.stdout.write(JSON.stringify(res));
"""
res = subprocess.run(['node', '--input-type=module', '-e', script], cwd=ROOT, check=True, capture_output=True,
                     input=json.dumps({'types': KQ, 'rows': out['inputs']}).encode())
kbytes = json.loads(res.stdout)
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
