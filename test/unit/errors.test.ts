import { describe, expect, it } from 'vitest';
import { GgufPagerError, isGgufPagerError } from '../../src/errors.ts';

describe('GgufPagerError', () => {
  it('carries a stable code and details beside the message', () => {
    const e = new GgufPagerError('GGUF_TRUNCATED', 'model.gguf: header ends at byte 12', { offset: 12 });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('GGUF_TRUNCATED');
    expect(e.details.offset).toBe(12);
    expect(e.name).toBe('GgufPagerError');
  });
  it('recognises a plain object that crossed a structured clone as the same error', () => {
    const cloned = structuredClone({ name: 'GgufPagerError', code: 'HTTP_STATUS', message: 'x' });
    expect(isGgufPagerError(cloned, 'HTTP_STATUS')).toBe(true);
    expect(isGgufPagerError(cloned, 'HTTP_NETWORK')).toBe(false);
    expect(isGgufPagerError(new Error('x'))).toBe(false);
  });
});
