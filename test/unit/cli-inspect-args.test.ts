import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, parseArgv, parseByteSize } from '../../src/cli/args.ts';

describe('the CLI argument helpers', () => {
  it('separate flags, options with a value (both spellings) and positionals', () => {
    const a = parseArgv(['m.gguf', '--json', '--budget', '50%', '--tokens=8', '--', '--not-an-option'], {
      flags: ['--json'],
      options: ['--budget', '--tokens'],
    });
    expect(a.positionals).toEqual(['m.gguf', '--not-an-option']);
    expect([...a.flags]).toEqual(['--json']);
    expect(Object.fromEntries(a.options)).toEqual({ '--budget': '50%', '--tokens': '8' });
  });

  it('refuse unknown options, a missing value and a wrong number of positionals, with the usage', () => {
    const usage = 'usage: x <file>';
    expect(() => parseArgv(['--jsn'], { flags: ['--json'], usage })).toThrow(/unknown option --jsn\nusage: x <file>/);
    expect(() => parseArgv(['--budget'], { options: ['--budget'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: '--budget needs a value' }),
    );
    expect(() => parseArgv(['a', 'b'], { positionals: 1 })).toThrow(/expected 1 argument\(s\), got 2/);
  });

  it('read byte sizes in decimal and binary units', () => {
    expect(parseByteSize('4096')).toBe(4096);
    expect(parseByteSize('64MiB')).toBe(64 * 2 ** 20);
    expect(parseByteSize('1.5 GB')).toBe(1.5e9);
    expect(parseByteSize('512k')).toBe(512_000);
    expect(() => parseByteSize('12 parsecs')).toThrow(/not a byte size/);
    expect(() => parseByteSize('-1')).toThrow(/not a byte size/);
  });

  it('print byte sizes and counts for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(44032)).toBe('43.0 KiB');
    expect(formatBytes(3.25 * 2 ** 30)).toBe('3.25 GiB');
    expect(formatCount(950)).toBe('950');
    expect(formatCount(292800)).toBe('293 K');
    expect(formatCount(6.74e9)).toBe('6.74 B');
  });
});
