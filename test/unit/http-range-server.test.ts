import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { patternBytes } from '../servers/pattern.ts';
import { genFile, serverStats, serverUrl } from '../servers/urls.ts';

let server: RangeServer;
beforeAll(async () => void (server = await startRangeServer()));
afterAll(() => server.stop());

const FILE = genFile(1000, 7);
const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${server.url}/${path}`, { method, headers, cache: 'no-store' });
const body = async (r: Response) => new Uint8Array(await r.arrayBuffer());

describe('the test range server', () => {
  it('answers a closed range with exactly those bytes', async () => {
    const r = await get(FILE, { Range: 'bytes=100-199' });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(await body(r)).toEqual(patternBytes(100, 100, 7));
  });

  it('answers bytes=0-0 with one byte, an open range to the end, a suffix with the last bytes', async () => {
    expect((await body(await get(FILE, { Range: 'bytes=0-0' }))).length).toBe(1);
    const open = await get(FILE, { Range: 'bytes=990-' });
    expect(open.headers.get('content-range')).toBe('bytes 990-999/1000');
    const suffix = await get(FILE, { Range: 'bytes=-10' });
    expect(suffix.headers.get('content-range')).toBe('bytes 990-999/1000');
    expect(await body(suffix)).toEqual(patternBytes(990, 10, 7));
  });

  it('answers a range starting past the end with 416 and the size', async () => {
    const r = await get(FILE, { Range: 'bytes=1000-' });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe('bytes */1000');
  });

  it('ignores multi-ranges and inverted ranges with a 200, always saying Accept-Ranges', async () => {
    for (const range of ['bytes=0-9,20-29', 'bytes=5-2']) {
      const r = await get(FILE, { Range: range });
      expect(r.status).toBe(200);
      expect(r.headers.get('accept-ranges')).toBe('bytes');
      expect((await body(r)).length).toBe(1000);
    }
  });

  it('honours If-Range with the current strong ETag and answers 200 to any other', async () => {
    const etag = (await get(FILE, {}, 'HEAD')).headers.get('etag')!;
    expect((await get(FILE, { Range: 'bytes=0-9', 'If-Range': etag })).status).toBe(206);
    expect((await get(FILE, { Range: 'bytes=0-9', 'If-Range': '"other"' })).status).toBe(200);
    expect((await get(FILE, { Range: 'bytes=0-9', 'If-Range': `W/${etag}` })).status).toBe(200);
  });

  it('answers HEAD with the size and no body, OPTIONS with a CORS preflight', async () => {
    const head = await get(FILE, {}, 'HEAD');
    expect(head.headers.get('content-length')).toBe('1000');
    expect((await body(head)).length).toBe(0);
    const pre = await fetch(`${server.url}/${FILE}`, { method: 'OPTIONS', headers: { 'Access-Control-Request-Headers': 'range, if-range' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('range, if-range');
    expect(head.headers.get('access-control-expose-headers')).toContain('Content-Range');
    expect(head.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('serves registered byte arrays and 404s unknown names', async () => {
    server.files.register('models/tiny.gguf', new Uint8Array([1, 2, 3, 4]));
    expect(await body(await get('models/tiny.gguf', { Range: 'bytes=1-2' }))).toEqual(new Uint8Array([2, 3]));
    expect((await get('models/none.gguf')).status).toBe(404);
  });

  it('counts requests per tag and their most in flight', async () => {
    // Each body waits 500 ms, so the three requests overlap even when a busy machine starts them tens of ms apart.
    const urls = [0, 1, 2].map(() => serverUrl(server.url, FILE, { faults: ['slow/500'], tag: 'count-test' }));
    await Promise.all(urls.map((u) => fetch(u, { headers: { Range: 'bytes=0-99' } }).then((r) => r.arrayBuffer())));
    const s = await serverStats(server.url, 'count-test');
    expect(s.requests).toBe(3);
    expect(s.maxInFlight).toBe(3);
    expect(s.ranges).toEqual(['bytes=0-99', 'bytes=0-99', 'bytes=0-99']);
  });

  it('changes the ETag and bytes after N requests under change-etag-after/N', async () => {
    const url = serverUrl(server.url, FILE, { faults: ['change-etag-after/1'] });
    const a = await fetch(url, { headers: { Range: 'bytes=0-3' } });
    const b = await fetch(url, { headers: { Range: 'bytes=0-3' } });
    expect(a.headers.get('etag')).not.toBe(b.headers.get('etag'));
    expect(await body(a)).not.toEqual(await body(b));
  });
});
