/**
 * Sampler: logits → next token id. Logit bias, then repetition / presence /
 * frequency penalties over the last N accepted tokens, then greedy (temperature
 * 0) or top-k → top-p → min-p → temperature → a draw from a seeded generator,
 * the order of llama.cpp's default chain. Partial selection (a heap of the best
 * k) instead of sorting the vocabulary; every float operation is plain IEEE
 * arithmetic in a fixed order (exp included), so one seed gives the same ids
 * in Node and in any browser.
 */
import { GgufPagerError } from '../errors.ts';
import { Random, randomSeed } from './random.ts';
import { dexp, dexpNeg } from './dexp.ts';

export interface SamplingOptions {
  /** 0 = greedy (argmax). Default 0.8. */
  temperature?: number;
  /** Keep the k most likely tokens; 0 = all. Default 40. */
  topK?: number;
  /** Keep the most likely tokens up to this probability mass; 1 = all. Default 0.95. */
  topP?: number;
  /** Drop tokens less likely than minP × the most likely one; 0 = off. Default 0.05. */
  minP?: number;
  /** Divide positive logits (multiply negative ones) of recent tokens; 1 = off. Default 1. */
  repeatPenalty?: number;
  /** Subtracted once from the logit of every recent token. Default 0. */
  presencePenalty?: number;
  /** Subtracted per occurrence of a recent token. Default 0. */
  frequencyPenalty?: number;
  /** How many accepted tokens the penalties look at. Default 64. */
  penaltyLastN?: number;
  /** Added to a token's logit; -Infinity bans it. */
  logitBias?: Record<number, number>;
  /** Seed of the generator; random when absent. */
  seed?: number;
}

function invalid(what: string): GgufPagerError {
  return new GgufPagerError('INVALID_ARGUMENT', `sampling options: ${what}`, {});
}

/** top-p's bins: BINS over the RANGE (in logits) below the best. */
const BINS = 1024;
const RANGE = 40;

export class Sampler {
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly minP: number;
  readonly repeatPenalty: number;
  readonly presencePenalty: number;
  readonly frequencyPenalty: number;
  readonly penaltyLastN: number;
  readonly seed: number;
  private readonly bias: [number, number][];
  private readonly rng: Random;
  private readonly history: number[] = [];
  private readonly counts = new Map<number, number>();
  private scratch = new Float32Array(0);
  private heapIds = new Int32Array(64);
  private heapVals = new Float64Array(64);
  private binMass = new Float64Array(0);
  private binOf = new Int16Array(0);
  private keptIds = new Int32Array(0);

  constructor(
    opts: SamplingOptions,
    readonly vocabSize: number,
  ) {
    const num = (v: number | undefined, dflt: number, name: string, ok: (x: number) => boolean): number => {
      const x = v ?? dflt;
      if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) throw invalid(`${name} = ${String(v)} is out of range`);
      return x;
    };
    if (!Number.isInteger(vocabSize) || vocabSize <= 0) throw invalid(`vocabulary size ${vocabSize}`);
    this.temperature = num(opts.temperature, 0.8, 'temperature', (x) => x >= 0);
    this.topK = num(opts.topK, 40, 'topK', (x) => Number.isInteger(x) && x >= 0);
    this.topP = num(opts.topP, 0.95, 'topP', (x) => x > 0 && x <= 1);
    this.minP = num(opts.minP, 0.05, 'minP', (x) => x >= 0 && x <= 1);
    this.repeatPenalty = num(opts.repeatPenalty, 1, 'repeatPenalty', (x) => x > 0);
    this.presencePenalty = num(opts.presencePenalty, 0, 'presencePenalty', () => true);
    this.frequencyPenalty = num(opts.frequencyPenalty, 0, 'frequencyPenalty', () => true);
    this.penaltyLastN = num(opts.penaltyLastN, 64, 'penaltyLastN', (x) => Number.isInteger(x) && x >= 0);
    this.seed = num(opts.seed ?? randomSeed(), 0, 'seed', Number.isInteger) >>> 0;
    this.bias = Object.entries(opts.logitBias ?? {}).map(([k, v]) => {
      const id = Number(k);
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw invalid(`logitBias id ${k} is outside the vocabulary of ${vocabSize}`);
      if (typeof v !== 'number' || Number.isNaN(v) || v === Infinity) throw invalid(`logitBias[${k}] = ${String(v)}`);
      return [id, v];
    });
    this.rng = new Random(this.seed);
  }

  /** Records an emitted (or prompt) token for the penalties. */
  accept(id: number): void {
    if (this.penaltyLastN === 0) return;
    this.history.push(id);
    this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    if (this.history.length > this.penaltyLastN) {
      const old = this.history.shift()!;
      const c = this.counts.get(old)! - 1;
      if (c === 0) this.counts.delete(old);
      else this.counts.set(old, c);
    }
  }

  /** Forgets the history and restarts the generator from the seed. */
  reset(): void {
    this.history.length = 0;
    this.counts.clear();
    this.rng.reseed(this.seed);
  }

  sample(logits: Float32Array): number {
    const n = Math.min(logits.length, this.vocabSize);
    if (n === 0) throw invalid('empty logits');
    if (this.scratch.length < n) this.scratch = new Float32Array(n);
    const l = this.scratch;
    l.set(logits.subarray(0, n));
    for (const [id, b] of this.bias) if (id < n) l[id] += b;
    for (const [id, c] of this.counts) {
      if (id >= n) continue;
      let v = l[id];
      if (this.repeatPenalty !== 1) v = v <= 0 ? v * this.repeatPenalty : v / this.repeatPenalty;
      l[id] = v - c * this.frequencyPenalty - this.presencePenalty;
    }
    if (this.temperature === 0) return argmax(l, n);
    const k = this.topK > 0 ? Math.min(this.topK, n) : n;
    if (k === n && this.topP >= 1) return this.finish(l, allFinite(l, n), false, 1);
    if (k < n) {
      const ids = this.best(l, n, k);
      const max = l[ids[0]];
      let z = 0;
      for (let i = 0; i < ids.length; i++) z += dexp(l[ids[i]] - max);
      return this.finish(l, ids, true, z);
    }
    return this.finish(l, this.nucleus(l, n), false, 1);
  }

  /**
   * top-p over the whole vocabulary without sorting it: probabilities are
   * binned by logit (1024 bins over the 40 below the best, beyond which the
   * mass is < n·e^-40), bins are taken best first while their mass stays
   * below topP, and only the bin where it crosses is sorted to find the cut.
   */
  private nucleus(l: Float32Array, n: number): Int32Array {
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (l[i] > max) max = l[i];
    if (!(max > -Infinity)) throw invalid('every token is banned (all logits are -Infinity or NaN)');
    if (this.binMass.length < BINS) this.binMass = new Float64Array(BINS);
    if (this.binOf.length < n) this.binOf = new Int16Array(n);
    const mass = this.binMass;
    const binOf = this.binOf;
    mass.fill(0);
    let z = 0;
    for (let i = 0; i < n; i++) {
      const d = max - l[i];
      if (!(d < RANGE)) {
        binOf[i] = -1; // below e^-40 of the best: left out of the mass too
        continue;
      }
      const b = ((d * BINS) / RANGE) | 0; // floor: 0 ≤ d < RANGE (an int32, so the typed-array index stays a small integer)
      const e = dexpNeg(d);
      z += e;
      binOf[i] = b;
      mass[b] += e;
    }
    let cum = 0;
    let cut = BINS;
    for (let b = 0; b < BINS; b++) {
      if ((cum + mass[b]) / z >= this.topP) {
        cut = b;
        break;
      }
      cum += mass[b];
    }
    if (cut === BINS) return allFinite(l, n); // topP within n·e^-40 of 1: everything
    // typed buffers, not pushes onto arrays: the kept set can hold tens of thousands of ids
    if (this.keptIds.length < n) this.keptIds = new Int32Array(n);
    const kept = this.keptIds;
    let k = 0;
    const edge: number[] = [];
    for (let i = 0; i < n; i++) {
      const b = binOf[i];
      if (b < cut) {
        if (b >= 0) kept[k++] = i;
      } else if (b === cut) edge.push(i);
    }
    edge.sort((a, b) => l[b] - l[a] || a - b);
    for (const i of edge) {
      kept[k++] = i;
      cum += dexp(l[i] - max);
      if (cum / z >= this.topP) break;
    }
    return kept.slice(0, k);
  }

  /** top-p (on sorted candidates, over mass z), min-p, temperature and the draw. */
  private finish(l: Float32Array, ids: Int32Array, sorted: boolean, z: number): number {
    if (ids.length === 0) throw invalid('every token is banned (all logits are -Infinity or NaN)');
    let max = -Infinity;
    for (let i = 0; i < ids.length; i++) if (l[ids[i]] > max) max = l[ids[i]];
    let keep = ids.length;
    if (sorted && this.topP < 1) {
      let mass = 0;
      for (let i = 0; i < keep; i++) {
        mass += dexp(l[ids[i]] - max) / z;
        if (mass >= this.topP) {
          keep = i + 1;
          break;
        }
      }
    }
    let kept = ids.subarray(0, keep);
    if (this.minP > 0) {
      const out: number[] = [];
      for (let i = 0; i < kept.length; i++) if (dexp(l[kept[i]] - max) >= this.minP) out.push(kept[i]);
      kept = Int32Array.from(out);
    }
    const w = new Float64Array(kept.length);
    let sum = 0;
    for (let i = 0; i < kept.length; i++) sum += w[i] = dexpNeg((max - l[kept[i]]) / this.temperature);
    let r = this.rng.next() * sum;
    for (let i = 0; i < kept.length; i++) {
      r -= w[i];
      if (r < 0) return kept[i];
    }
    return kept[kept.length - 1];
  }

  /** The k best ids (finite logits only), best first; ties by lower id. */
  private best(l: Float32Array, n: number, k: number): Int32Array {
    if (this.heapIds.length < k) {
      this.heapIds = new Int32Array(k);
      this.heapVals = new Float64Array(k);
    }
    const hi = this.heapIds;
    const hv = this.heapVals;
    let size = 0;
    // min-heap on (value, -id): the root is the worst kept candidate
    const worse = (a: number, b: number) => hv[a] < hv[b] || (hv[a] === hv[b] && hi[a] > hi[b]);
    for (let id = 0; id < n; id++) {
      const v = l[id];
      if (!(v > -Infinity)) continue;
      if (size < k) {
        let i = size++;
        hi[i] = id;
        hv[i] = v;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (!worse(i, p)) break;
          swap(hi, hv, i, p);
          i = p;
        }
        continue;
      }
      if (v <= hv[0]) continue;
      hi[0] = id;
      hv[0] = v;
      let i = 0;
      for (;;) {
        const a = 2 * i + 1;
        if (a >= size) break;
        const b = a + 1;
        const m = b < size && worse(b, a) ? b : a;
        if (!worse(m, i)) break;
        swap(hi, hv, m, i);
        i = m;
      }
    }
    const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => hv[b] - hv[a] || hi[a] - hi[b]);
    const out = Int32Array.from(order, (i) => hi[i]);
    if (out.length === 0) throw invalid('every token is banned (all logits are -Infinity or NaN)');
    return out;
  }
}

function swap(hi: Int32Array, hv: Float64Array, a: number, b: number): void {
  const t = hi[a];
  hi[a] = hi[b];
  hi[b] = t;
  const u = hv[a];
  hv[a] = hv[b];
  hv[b] = u;
}

function argmax(l: Float32Array, n: number): number {
  let best = -1;
  let bv = -Infinity;
  for (let i = 0; i < n; i++)
    if (l[i] > bv) {
      bv = l[i];
      best = i;
    }
  if (best < 0) throw invalid('every token is banned (all logits are -Infinity or NaN)');
  return best;
}

/** Every id with a finite logit, in id order. */
function allFinite(l: Float32Array, n: number): Int32Array {
  const ids = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (l[i] > -Infinity) ids[m++] = i;
  return ids.subarray(0, m);
}
