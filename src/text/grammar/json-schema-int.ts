/**
 * Integer bounds as GBNF, as llama.cpp's build_min_max_int
 * (common/json-schema-to-grammar.cpp): digit ranges per length, so that only
 * integers within [min, max] match. An absent bound is null.
 */

const repeat9 = (n: number) => '9'.repeat(n);

export function minMaxInt(min: bigint | null, max: bigint | null, decimalsLeft = 16, topLevel = true): string {
  let out = '';
  const digitRange = (from: string, to: string) => {
    out += '[' + (from === to ? from : `${from}-${to}`) + ']';
  };
  const moreDigits = (minD: number, maxD: number) => {
    out += '[0-9]';
    if (minD === maxD && minD === 1) return;
    out += `{${minD}`;
    if (maxD !== minD) out += ',' + (maxD === Infinity ? '' : String(maxD));
    out += '}';
  };
  const chr = (c: string, d: number) => String.fromCharCode(c.charCodeAt(0) + d);
  const uniformRange = (from: string, to: string): void => {
    let i = 0;
    while (i < from.length && i < to.length && from[i] === to[i]) i++;
    if (i > 0) out += `"${from.slice(0, i)}"`;
    if (i < from.length && i < to.length) {
      if (i > 0) out += ' ';
      const subLen = from.length - i - 1;
      if (subLen > 0) {
        const fromSub = from.slice(i + 1);
        const toSub = to.slice(i + 1);
        const zeros = '0'.repeat(subLen);
        const nines = repeat9(subLen);
        let toReached = false;
        out += '(';
        if (fromSub === zeros) {
          digitRange(from[i], chr(to[i], -1));
          out += ' ';
          moreDigits(subLen, subLen);
        } else {
          out += `[${from[i]}] (`;
          uniformRange(fromSub, nines);
          out += ')';
          if (from[i] < chr(to[i], -1)) {
            out += ' | ';
            if (toSub === nines) {
              digitRange(chr(from[i], 1), to[i]);
              toReached = true;
            } else digitRange(chr(from[i], 1), chr(to[i], -1));
            out += ' ';
            moreDigits(subLen, subLen);
          }
        }
        if (!toReached) {
          out += ' | ';
          digitRange(to[i], to[i]);
          out += ' ';
          uniformRange(zeros, toSub);
        }
        out += ')';
      } else out += `[${from[i]}-${to[i]}]`;
    }
  };

  if (min !== null && max !== null) {
    if (min < 0n && max < 0n) return `"-" (${minMaxInt(-max, -min, decimalsLeft, true)})`;
    if (min < 0n) {
      out += `"-" (${minMaxInt(0n, -min, decimalsLeft, true)}) | `;
      min = 0n;
    }
    let minS = String(min);
    const maxS = String(max);
    for (let d = minS.length; d < maxS.length; d++) {
      uniformRange(minS, repeat9(d));
      minS = '1' + '0'.repeat(d);
      out += ' | ';
    }
    uniformRange(minS, maxS);
    return out;
  }
  const less = Math.max(decimalsLeft - 1, 1);
  if (min !== null) {
    if (min < 0n) {
      out += `"-" (${minMaxInt(null, -min, decimalsLeft, false)}) | [0] | [1-9] `;
      moreDigits(0, decimalsLeft - 1);
    } else if (min === 0n) {
      if (topLevel) {
        out += '[0] | [1-9] ';
        moreDigits(0, less);
      } else moreDigits(1, decimalsLeft);
    } else if (min <= 9n) {
      const c = String(min);
      const start = topLevel ? '1' : '0';
      if (c > start) {
        digitRange(start, chr(c, -1));
        out += ' ';
        moreDigits(1, less);
        out += ' | ';
      }
      digitRange(c, '9');
      out += ' ';
      moreDigits(0, less);
    } else {
      const minS = String(min);
      const len = minS.length;
      const c = minS[0];
      if (c > '1') {
        digitRange(topLevel ? '1' : '0', chr(c, -1));
        out += ' ';
        moreDigits(len, less);
        out += ' | ';
      }
      digitRange(c, c);
      out += ` (${minMaxInt(BigInt(minS.slice(1)), null, less, false)})`;
      if (c < '9') {
        out += ' | ';
        digitRange(chr(c, 1), '9');
        out += ' ';
        moreDigits(len - 1, less);
      }
    }
    return out;
  }
  if (max !== null) {
    if (max >= 0n) {
      if (topLevel) {
        out += '"-" [1-9] ';
        moreDigits(0, less);
        out += ' | ';
      }
      out += minMaxInt(0n, max, decimalsLeft, true);
    } else {
      out += `"-" (${minMaxInt(-max, null, decimalsLeft, false)})`;
    }
    return out;
  }
  throw new Error('minMaxInt needs a bound');
}
