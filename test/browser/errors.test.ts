import { expect, it } from 'vitest';
import { GgufPagerError } from '../../src/errors.ts';

it('runs in a cross-origin-isolated Chromium page', () => {
  expect(navigator.userAgent).toMatch(/Chrome/);
  expect(crossOriginIsolated).toBe(true);
  expect(new GgufPagerError('INVALID_ARGUMENT', 'x').code).toBe('INVALID_ARGUMENT');
});
