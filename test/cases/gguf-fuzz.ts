/** Seeded mutations of valid GGUF headers for the fuzz test. */
export { prng } from './prng.ts';

const BLOWUPS: ReadonlyArray<[number, bigint]> = [
  [4, 0xffffffffn],
  [4, 0x80000000n],
  [8, 2n ** 64n - 1n],
  [8, 2n ** 63n],
  [8, 2n ** 32n],
  [8, 2n ** 32n - 1n],
  [8, 2n ** 53n + 1n],
];

export type Mutation = 'flip' | 'blowup' | 'truncate' | 'splice';

/** One mutated copy of `base`; `headerEnd` bounds where mutations land (mostly inside the header). */
export function mutate(base: Uint8Array, headerEnd: number, rand: () => number): { bytes: Uint8Array; kind: Mutation } {
  const pick = (n: number) => Math.floor(rand() * n);
  const bytes = base.slice();
  const r = rand();
  if (r < 0.4) {
    for (let i = 1 + pick(4); i > 0; i--) bytes[pick(headerEnd)] ^= 1 << pick(8);
    return { bytes, kind: 'flip' };
  }
  if (r < 0.8) {
    const [width, value] = BLOWUPS[pick(BLOWUPS.length)];
    const at = pick(headerEnd - width);
    const view = new DataView(bytes.buffer);
    if (width === 4) view.setUint32(at, Number(value), true);
    else view.setBigUint64(at, value, true);
    return { bytes, kind: 'blowup' };
  }
  if (r < 0.9) return { bytes: bytes.subarray(0, pick(base.length)), kind: 'truncate' };
  const at = pick(headerEnd);
  const cut = pick(16);
  const insert = Uint8Array.from({ length: pick(16) }, () => pick(256));
  const out = new Uint8Array(bytes.length - Math.min(cut, bytes.length - at) + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(Math.min(bytes.length, at + cut)), at + insert.length);
  return { bytes: out, kind: 'splice' };
}
