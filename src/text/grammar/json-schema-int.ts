/**
 * Integer bounds as GBNF, as llama.cpp's build_min_max_int
 * (common/json-schema-to-grammar.cpp): digit ranges per length, so that only
 * integers within [min, max] match. An absent bound is null.
 */

const chr = (c: string, d: number) => String.fromCharCode(c.charCodeAt(0) + d);

/** The rule text being written, with llama.cpp's small writers. */
class Out {
  s = '';

  digitRange(from: string, to: string): void {
    this.s += '[' + (from === to ? from : `${from}-${to}`) + ']';
  }

  moreDigits(min: number, max: number): void {
    this.s += '[0-9]';
    if (min === max && min === 1) return;
    this.s += `{${min}`;
    if (max !== min) this.s += ',' + (max === Infinity ? '' : String(max));
    this.s += '}';
  }

  /** Every number of from.length digits between from and to (same length). */
  uniformRange(from: string, to: string): void {
    let i = 0;
    while (i < from.length && i < to.length && from[i] === to[i]) i++;
    if (i > 0) this.s += `"${from.slice(0, i)}"`;
    if (i >= from.length || i >= to.length) return;
    if (i > 0) this.s += ' ';
    const subLen = from.length - i - 1;
    if (subLen <= 0) {
      this.s += `[${from[i]}-${to[i]}]`;
      return;
    }
    const fromSub = from.slice(i + 1);
    const toSub = to.slice(i + 1);
    const zeros = '0'.repeat(subLen);
    const nines = '9'.repeat(subLen);
    let toReached = false;
    this.s += '(';
    if (fromSub === zeros) {
      this.digitRange(from[i], chr(to[i], -1));
      this.s += ' ';
      this.moreDigits(subLen, subLen);
    } else {
      this.s += `[${from[i]}] (`;
      this.uniformRange(fromSub, nines);
      this.s += ')';
      if (from[i] < chr(to[i], -1)) {
        this.s += ' | ';
        if (toSub === nines) {
          this.digitRange(chr(from[i], 1), to[i]);
          toReached = true;
        } else this.digitRange(chr(from[i], 1), chr(to[i], -1));
        this.s += ' ';
        this.moreDigits(subLen, subLen);
      }
    }
    if (!toReached) {
      this.s += ' | ';
      this.digitRange(to[i], to[i]);
      this.s += ' ';
      this.uniformRange(zeros, toSub);
    }
    this.s += ')';
  }
}

function bothBounds(o: Out, min: bigint, max: bigint, decimalsLeft: number): void {
  if (min < 0n && max < 0n) {
    o.s += `"-" (${minMaxInt(-max, -min, decimalsLeft, true)})`;
    return;
  }
  if (min < 0n) {
    o.s += `"-" (${minMaxInt(0n, -min, decimalsLeft, true)}) | `;
    min = 0n;
  }
  let minS = String(min);
  const maxS = String(max);
  for (let d = minS.length; d < maxS.length; d++) {
    o.uniformRange(minS, '9'.repeat(d));
    minS = '1' + '0'.repeat(d);
    o.s += ' | ';
  }
  o.uniformRange(minS, maxS);
}

function minOnly(o: Out, min: bigint, decimalsLeft: number, topLevel: boolean): void {
  const less = Math.max(decimalsLeft - 1, 1);
  if (min < 0n) {
    o.s += `"-" (${minMaxInt(null, -min, decimalsLeft, false)}) | [0] | [1-9] `;
    o.moreDigits(0, decimalsLeft - 1);
  } else if (min === 0n) {
    if (topLevel) {
      o.s += '[0] | [1-9] ';
      o.moreDigits(0, less);
    } else o.moreDigits(1, decimalsLeft);
  } else if (min <= 9n) {
    const c = String(min);
    const start = topLevel ? '1' : '0';
    if (c > start) {
      o.digitRange(start, chr(c, -1));
      o.s += ' ';
      o.moreDigits(1, less);
      o.s += ' | ';
    }
    o.digitRange(c, '9');
    o.s += ' ';
    o.moreDigits(0, less);
  } else {
    const minS = String(min);
    const c = minS[0];
    if (c > '1') {
      o.digitRange(topLevel ? '1' : '0', chr(c, -1));
      o.s += ' ';
      o.moreDigits(minS.length, less);
      o.s += ' | ';
    }
    o.digitRange(c, c);
    o.s += ` (${minMaxInt(BigInt(minS.slice(1)), null, less, false)})`;
    if (c < '9') {
      o.s += ' | ';
      o.digitRange(chr(c, 1), '9');
      o.s += ' ';
      o.moreDigits(minS.length - 1, less);
    }
  }
}

function maxOnly(o: Out, max: bigint, decimalsLeft: number, topLevel: boolean): void {
  if (max < 0n) {
    o.s += `"-" (${minMaxInt(-max, null, decimalsLeft, false)})`;
    return;
  }
  if (topLevel) {
    o.s += '"-" [1-9] ';
    o.moreDigits(0, Math.max(decimalsLeft - 1, 1));
    o.s += ' | ';
  }
  o.s += minMaxInt(0n, max, decimalsLeft, true);
}

export function minMaxInt(min: bigint | null, max: bigint | null, decimalsLeft = 16, topLevel = true): string {
  const o = new Out();
  if (min !== null && max !== null) bothBounds(o, min, max, decimalsLeft);
  else if (min !== null) minOnly(o, min, decimalsLeft, topLevel);
  else if (max !== null) maxOnly(o, max, decimalsLeft, topLevel);
  else throw new Error('minMaxInt needs a bound');
  return o.s;
}
