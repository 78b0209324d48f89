/** Checks a benchmark's bytes outside the timing: 64 KiB every 16 MiB, and the last 64 KiB, against the pattern. */
import { fillPattern } from '../../test/servers/pattern.ts';

export function spotCheckPattern(view: Uint8Array, seed: number, what: string): void {
  const probe = new Uint8Array(65_536);
  const at: number[] = [];
  for (let o = 0; o + probe.length <= view.length; o += 16 << 20) at.push(o);
  at.push(view.length - probe.length);
  for (const o of at) {
    fillPattern(probe, o, seed);
    for (let i = 0; i < probe.length; i++) if (view[o + i] !== probe[i]) throw new Error(`${what}: wrong byte at ${o + i}`);
  }
}
