/**
 * Small helpers for the CLI commands: an argv parser (`--flag`, `--opt value`,
 * `--opt=value`, `--` ends options) and byte-size parsing and printing.
 * Every mistake is an INVALID_ARGUMENT error carrying the command's usage.
 */
import { GgufPagerError } from '../errors.ts';

export interface ArgSpec {
  /** Boolean switches, e.g. `['--json']`. */
  flags?: readonly string[];
  /** Switches that take a value, e.g. `['--budget']`. */
  options?: readonly string[];
  /** Exact number of positional arguments; any number when absent. */
  positionals?: number;
  /** Printed after an error. */
  usage?: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

function argError(message: string, usage?: string): GgufPagerError {
  return new GgufPagerError('INVALID_ARGUMENT', usage ? `${message}\n${usage}` : message, {});
}

export function parseArgv(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set(spec.flags ?? []);
  const options = new Set(spec.options ?? []);
  const out: ParsedArgs = { positionals: [], flags: new Set(), options: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (flags.has(name) && eq < 0) out.flags.add(name);
    else if (options.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw argError(`${name} needs a value`, spec.usage);
      out.options.set(name, value);
    } else throw argError(`unknown option ${arg}`, spec.usage);
  }
  if (spec.positionals !== undefined && out.positionals.length !== spec.positionals) {
    throw argError(`expected ${spec.positionals} argument(s), got ${out.positionals.length}`, spec.usage);
  }
  return out;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `"4096"`, `"64MiB"`, `"1.5 GB"`, `"512k"` → bytes (a whole number). */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw argError(`'${text}' is not a byte size (e.g. 4096, 64MiB, 1.5GB)`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw argError(`'${text}' is too large`);
  return bytes;
}

/** Bytes for people: `512 B`, `1.5 KiB`, `3.25 GiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[u]}`;
}

/** Counts for people: `950`, `12.3 K`, `6.74 B`. */
export function formatCount(n: number): string {
  const steps: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of steps) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${suffix}`;
    }
  }
  return String(n);
}
