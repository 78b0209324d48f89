/**
 * Small checks of option values shared by the runtime's and the pager's
 * entry points: each throws INVALID_ARGUMENT naming where, the option and the
 * value, and what it should be.
 */
import { GgufPagerError } from '../errors.ts';

/** The error for option `option` of `where` holding `value` instead of `want`. */
export function invalid(where: string, option: string, value: unknown, want: string): GgufPagerError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'function' ? 'a function' : String(value);
  return new GgufPagerError('INVALID_ARGUMENT', `${where}: option ${option} = ${shown} is not ${want}`, {
    option,
    value: typeof value === 'number' || typeof value === 'string' ? value : String(value),
  });
}

/** An integer in [min, max] (or undefined when optional). */
export function int(where: string, option: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw invalid(where, option, v, `an integer in ${min}..${max}`);
}

export function oneOf(where: string, option: string, v: unknown, allowed: readonly string[]): void {
  if (v !== undefined && !allowed.includes(v as string)) throw invalid(where, option, v, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

export function type(where: string, option: string, v: unknown, t: 'function' | 'boolean' | 'string'): void {
  if (v !== undefined && typeof v !== t) throw invalid(where, option, v, `a ${t}`);
}

export function urlOption(where: string, option: string, v: unknown, nullable = false): void {
  if (v === undefined || (nullable && v === null)) return;
  if (typeof v !== 'string' && !(v instanceof URL)) throw invalid(where, option, v, 'a URL');
}
