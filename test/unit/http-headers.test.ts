import { describe, expect, it } from 'vitest';
import { identityOf, ifRangeValue, looksLikeHtml, parseContentRange, versionChange } from '../../src/sources/http/headers.ts';

const text = (s: string) => new TextEncoder().encode(s);

describe('range response headers', () => {
  it('parses Content-Range with a total, an unknown total, and an unsatisfied range', () => {
    expect(parseContentRange('bytes 0-99/1000')).toEqual({ kind: 'range', start: 0, end: 99, total: 1000 });
    expect(parseContentRange('bytes 5-5/*')).toEqual({ kind: 'range', start: 5, end: 5, total: undefined });
    expect(parseContentRange('bytes */1000')).toEqual({ kind: 'unsatisfied', total: 1000 });
  });

  it('rejects malformed or impossible Content-Range values', () => {
    for (const v of [null, '', 'bytes 10-5/100', 'bytes 0-100/100', 'items 0-1/2', 'bytes */*', 'bytes 0-1/2, 4-5/6']) {
      expect(parseContentRange(v), String(v)).toBeUndefined();
    }
  });

  it('uses a strong ETag for If-Range, else Last-Modified, never a weak ETag', () => {
    expect(ifRangeValue({ size: 1, etag: '"abc"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' })).toBe('"abc"');
    expect(ifRangeValue({ size: 1, etag: 'W/"abc"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' })).toBe('Mon, 01 Jan 2024 00:00:00 GMT');
    expect(ifRangeValue({ size: 1, etag: 'W/"abc"' })).toBeUndefined();
  });

  it('sees a new version in the size, the ETag or Last-Modified of an answer', () => {
    const id = identityOf(new Headers({ etag: '"v1"', 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT' }), 100);
    expect(versionChange(id, new Headers({ etag: '"v1"' }), 100)).toBeUndefined();
    expect(versionChange(id, new Headers({}), undefined)).toBeUndefined();
    expect(versionChange(id, new Headers({ etag: '"v1"' }), 101)).toMatch(/size/);
    expect(versionChange(id, new Headers({ etag: '"v2"' }), 100)).toMatch(/ETag/);
    expect(versionChange(id, new Headers({ 'last-modified': 'Tue, 02 Jan 2024 00:00:00 GMT' }), 100)).toMatch(/Last-Modified/);
  });

  it('recognises HTML by its first bytes, whatever the case, after a BOM and blanks', () => {
    expect(looksLikeHtml(text('<!DOCTYPE html><html>'))).toBe(true);
    expect(looksLikeHtml(text('\ufeff\n  <html lang="en">'))).toBe(true);
    expect(looksLikeHtml(text('<!doctype html>'))).toBe(true);
    expect(looksLikeHtml(text('GGUF\x03\x00\x00\x00'))).toBe(false);
    expect(looksLikeHtml(text('<htm'))).toBe(false);
    expect(looksLikeHtml(new Uint8Array(0))).toBe(false);
  });
});
