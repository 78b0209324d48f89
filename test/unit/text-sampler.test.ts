/**
 * Sampler: greedy, the sampled distribution against its softmax (χ² bound),
 * top-k / top-p / min-p never emitting an excluded id, penalties and logit bias,
 * determinism by seed (the recorded sequences are also checked in Chromium).
 */
import { describe, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { dexp } from '../../src/text/dexp.ts';
import { Sampler, type SamplingOptions } from '../../src/text/index.ts';
import { prng } from '../cases/prng.ts';
import { GOLDEN_IDS, GOLDEN_OPTIONS, sampleSequence } from '../cases/text-sampling.ts';

const L = Float32Array.from([1, 2, 0.5, -1, 3, 0, 1.5, -0.5]);
const FREE: SamplingOptions = { topK: 0, topP: 1, minP: 0, temperature: 1 };

function softmax(l: ArrayLike<number>, t = 1): number[] {
  let m = -Infinity;
  for (let i = 0; i < l.length; i++) m = Math.max(m, l[i]);
  const e = Array.from(l, (x) => Math.exp((x - m) / t));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

function counts(s: Sampler, logits: Float32Array, n: number): number[] {
  const c = new Array(logits.length).fill(0);
  for (let i = 0; i < n; i++) c[s.sample(logits)]++;
  return c;
}

function chi2(observed: number[], p: number[], n: number): number {
  return observed.reduce((acc, o, i) => acc + (o - n * p[i]) ** 2 / (n * p[i]), 0);
}

describe('greedy', () => {
  it('temperature 0 takes the largest logit (the lowest id on a tie), after bias and penalties', () => {
    expect(new Sampler({ temperature: 0 }, 8).sample(L)).toBe(4);
    expect(new Sampler({ temperature: 0 }, 3).sample(Float32Array.from([1, 5, 5]))).toBe(1);
    expect(new Sampler({ temperature: 0, logitBias: { 4: -Infinity } }, 8).sample(L)).toBe(1);
    expect(new Sampler({ temperature: 0, logitBias: { 3: 10 } }, 8).sample(L)).toBe(3);
  });
});

describe('the sampled distribution matches the softmax (χ², 7 degrees of freedom, p = 0.001 bound 24.32)', () => {
  for (const temperature of [1, 0.5, 2]) {
    it(`temperature ${temperature}, 20000 draws`, () => {
      const n = 20_000;
      const c = counts(new Sampler({ ...FREE, temperature, seed: 17 }, 8), L, n);
      expect(chi2(c, softmax(L, temperature), n)).toBeLessThan(24.32);
    });
  }
  it('top-k 4 renormalizes over the 4 best (χ², 3 d.o.f., bound 16.27)', () => {
    const n = 20_000;
    const c = counts(new Sampler({ ...FREE, topK: 4, seed: 5 }, 8), L, n);
    const best = [4, 1, 6, 0];
    const p = softmax(best.map((i) => L[i]));
    expect(
      chi2(
        best.map((i) => c[i]),
        p,
        n,
      ),
    ).toBeLessThan(16.27);
    expect(c.reduce((a, b) => a + b, 0)).toBe(n);
  });
});

describe('truncation never emits an excluded id', () => {
  const rnd = prng(2024);
  const big = Float32Array.from({ length: 128_000 }, () => rnd() * 10 - 5);
  const order = Array.from(big.keys()).sort((a, b) => big[b] - big[a]);

  it('top-k', () => {
    const c = counts(new Sampler({ ...FREE, topK: 3, seed: 1 }, 8), L, 3000);
    expect(c.map((x, i) => (x > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([1, 4, 6]);
  });

  it('top-p: only the smallest set holding p of the mass', () => {
    const p = softmax(L);
    const sorted = Array.from(L.keys()).sort((a, b) => p[b] - p[a]);
    let mass = 0;
    let k = 0;
    while (mass < 0.7) mass += p[sorted[k++]];
    expect(k).toBeGreaterThan(1);
    expect(k).toBeLessThan(8);
    const c = counts(new Sampler({ ...FREE, topP: 0.7, seed: 2 }, 8), L, 3000);
    expect(c.map((x, i) => (x > 0 ? i : -1)).filter((i) => i >= 0)).toEqual(sorted.slice(0, k).sort((a, b) => a - b));
  });

  it('min-p: only ids at least minP × the best probability', () => {
    const p = softmax(L);
    const allowed = p.map((x, i) => (x >= 0.2 * p[4] ? i : -1)).filter((i) => i >= 0);
    const c = counts(new Sampler({ ...FREE, minP: 0.2, seed: 3 }, 8), L, 3000);
    expect(c.map((x, i) => (x > 0 ? i : -1)).filter((i) => i >= 0)).toEqual(allowed);
  });

  it('top-p over a 128k vocabulary without top-k stays inside the nucleus', () => {
    const p = softmax(big);
    let mass = 0;
    let k = 0;
    while (mass < 0.5) mass += p[order[k++]];
    const nucleus = new Set(order.slice(0, k));
    const s = new Sampler({ topK: 0, topP: 0.5, minP: 0, temperature: 1, seed: 9 }, big.length);
    for (let i = 0; i < 200; i++) expect(nucleus.has(s.sample(big))).toBe(true);
  });

  it('top-k 40 on a 128k vocabulary stays inside the 40 best', () => {
    const best = new Set(order.slice(0, 40));
    const s = new Sampler({ topK: 40, topP: 1, minP: 0, temperature: 1.5, seed: 10 }, big.length);
    for (let i = 0; i < 200; i++) expect(best.has(s.sample(big))).toBe(true);
  });
});

describe('penalties and bias', () => {
  it('repetition, presence and frequency penalties apply to the last N accepted ids only', () => {
    const l = Float32Array.from([2, 1.9, -5]);
    const rep = new Sampler({ temperature: 0, repeatPenalty: 1.1, penaltyLastN: 2 }, 3);
    rep.accept(0);
    expect(rep.sample(l)).toBe(1); // 2 / 1.1 < 1.9
    rep.accept(2);
    rep.accept(2); // 0 fell out of the window of 2
    expect(rep.sample(l)).toBe(0);
    const pres = new Sampler({ temperature: 0, presencePenalty: 0.2 }, 3);
    pres.accept(0);
    expect(pres.sample(l)).toBe(1);
    const freq = new Sampler({ temperature: 0, frequencyPenalty: 0.06 }, 3);
    freq.accept(0);
    expect(freq.sample(l)).toBe(0); // 2 - 0.06 > 1.9
    freq.accept(0);
    expect(freq.sample(l)).toBe(1); // 2 - 0.12 < 1.9
    freq.reset();
    expect(freq.sample(l)).toBe(0);
  });

  it('a banned id is never sampled; banning everything is an error', () => {
    const c = counts(new Sampler({ ...FREE, logitBias: { 4: -Infinity, 1: -Infinity }, seed: 4 }, 8), L, 2000);
    expect([c[4], c[1]]).toEqual([0, 0]);
    const all = Object.fromEntries(Array.from(L.keys(), (i) => [i, -Infinity]));
    expect(() => new Sampler({ ...FREE, logitBias: all }, 8).sample(L)).toThrow(/banned/);
  });

  it('invalid options are INVALID_ARGUMENT errors', () => {
    for (const bad of [{ temperature: -1 }, { topP: 0 }, { topK: 1.5 }, { minP: 2 }, { logitBias: { 99: 1 } }, { seed: 0.5 }] as SamplingOptions[]) {
      let code = '';
      try {
        new Sampler(bad, 8);
      } catch (e) {
        code = isGgufPagerError(e) ? e.code : 'untyped';
      }
      expect(code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('determinism', () => {
  it('the same seed gives the same ids; reset() starts over; another seed differs', () => {
    const a = new Sampler({ ...FREE, seed: 77 }, 8);
    const first = Array.from({ length: 50 }, () => a.sample(L));
    expect(Array.from({ length: 50 }, () => new Sampler({ ...FREE, seed: 77 }, 8)).length).toBe(50);
    const b = new Sampler({ ...FREE, seed: 77 }, 8);
    expect(Array.from({ length: 50 }, () => b.sample(L))).toEqual(first);
    a.reset();
    expect(Array.from({ length: 50 }, () => a.sample(L))).toEqual(first);
    const c = new Sampler({ ...FREE, seed: 78 }, 8);
    expect(Array.from({ length: 50 }, () => c.sample(L))).not.toEqual(first);
  });

  for (const name of Object.keys(GOLDEN_OPTIONS)) {
    it(`scenario ${name} gives the recorded ids (the Chromium worker checks the same)`, () => {
      expect(sampleSequence(name)).toEqual(GOLDEN_IDS[name]);
    });
  }

  it('its exp is within 5e-14 of Math.exp', () => {
    for (let x = -700; x <= 700; x += 0.37) expect(Math.abs(dexp(x) / Math.exp(x) - 1)).toBeLessThan(5e-14);
    expect(dexp(-1000)).toBe(0);
    expect(dexp(0)).toBe(1);
  });
});
