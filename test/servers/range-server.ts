/**
 * The tests' own HTTP Range server (Node `http`), correct where Vite's is not
 * (TOOLCHAIN.md "HTTP Range"): single ranges incl. suffix and open ranges, 416,
 * `If-Range` against a strong ETag, HEAD, `Accept-Ranges` always, CORS + CORP
 * with exposed headers and an OPTIONS preflight answer. Serves a directory,
 * registered byte arrays and generated pattern files (files.ts), with faults
 * chosen per request (faults.ts). `GET /__stats?tag=T` returns what the server
 * saw for requests carrying `?tag=T`: count, ranges, most requests in flight.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FileTable, type ServedFile } from './files.ts';
import { HTML_PAGE, parseFaults, RequestCounter, type Faults } from './faults.ts';
import { sendBody, type BodyPlan } from './send-body.ts';
import { coveringRange, redirectLoop, sendPaced, sirvRange } from './odd-answers.ts';

export interface TagStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  /** `Range` of each request ('' when absent), first 1000. */
  ranges: string[];
  /** `If-Range` of each request ('' when absent), first 1000. */
  ifRanges: string[];
  /** Body bytes handed to the socket (paced bodies: only as fast as the client reads). */
  bytesSent: number;
  /** Responses the client closed before their body ended. */
  cutShort: number;
}

const emptyStats = (): TagStats => ({ requests: 0, inFlight: 0, maxInFlight: 0, ranges: [], ifRanges: [], bytesSent: 0, cutShort: 0 });

export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Accept-Ranges, Content-Length, Content-Encoding, ETag, Last-Modified, Retry-After',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

export type RangeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

export interface RangeServer {
  url: string;
  files: FileTable;
  handler: RangeHandler;
  stats(tag: string): TagStats;
  stop(): Promise<void>;
}

/** A request handler, usable alone or as Connect/Vite middleware (unknown files go to `next`). */
export function createRangeHandler(files: FileTable, tagStats = new Map<string, TagStats>()): RangeHandler {
  const counter = new RequestCounter();
  return (req, res, next) => {
    serve(req, res, files, counter, tagStats, next).catch((e) => {
      if (!res.headersSent) res.writeHead(500, CORS_HEADERS).end(String(e));
      else res.destroy();
    });
  };
}

/** Starts the server on 127.0.0.1, port 0 unless given. */
export async function startRangeServer(opts: { root?: string; port?: number } = {}): Promise<RangeServer> {
  const files = new FileTable(opts.root);
  const tagStats = new Map<string, TagStats>();
  const handler = createRangeHandler(files, tagStats);
  const server = createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 2_000;
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(opts.port ?? 0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files,
    handler,
    stats: (tag) => tagStats.get(tag) ?? emptyStats(),
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  files: FileTable,
  counter: RequestCounter,
  tagStats: Map<string, TagStats>,
  next?: () => void,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'OPTIONS') return preflight(req, res);
  if (url.pathname === '/__stats') {
    const s = tagStats.get(url.searchParams.get('tag') ?? '') ?? emptyStats();
    res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    return void res.end(JSON.stringify(s));
  }
  const parsed = parseFaults(url.pathname);
  const name = parsed.name;
  let faults = parsed.faults;
  const stats = track(tagStats, url.searchParams.get('tag'), req, res);
  let file = await files.lookup(name);
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
    if (next) return next();
    res.writeHead(file ? 405 : 404, { ...CORS_HEADERS, 'Content-Type': 'text/plain' });
    return void res.end(file ? 'method not allowed\n' : `not found: ${name}\n`);
  }
  let n = req.method === 'GET' ? counter.next(url.pathname + url.search) : 0;
  const spared = faults.get('after');
  if (spared !== undefined && n > 0) [faults, n] = n <= spared ? [new Map(), n] : [faults, n - spared];
  if (faults.has('html-body')) file = htmlFile(file);
  if (faults.has('html-front') || faults.has('tensor-count')) file = patchedFront(file, faults);
  if (parsed.faults.has('sha256-etag')) file = { ...file, etag: `"${await sha256Of(file)}"` }; // not spared by `after`
  if (faults.has('change-etag-after') && n > (faults.get('change-etag-after') ?? 0)) file = nextVersion(file);
  if (faults.has('change-data-after') && n > (faults.get('change-data-after') ?? 0)) file = nextVersion(file, 512 << 10);
  if (earlyFault(req, res, faults, n) || redirectLoop(req, res, faults, CORS_HEADERS)) return;
  const plan = planResponse(req, file, faults);
  if (
    (plan.status === 206 || req.method === 'HEAD') &&
    plan.body &&
    (faults.has('gzip-range') || faults.has('gzip-whole-range') || faults.has('unknown-encoding'))
  ) {
    return sendEncoded(res, req.method, file, plan, faults);
  }
  res.writeHead(plan.status, plan.headers);
  if (req.method === 'HEAD' || !plan.body) return void res.end();
  const sent = (k: number) => void (stats && (stats.bytesSent += k));
  if (PACED.some((f) => faults.has(f))) {
    return sendPaced(res, file, plan.body.start, plan.body.end, faults, sent);
  }
  sent(plan.body.end - plan.body.start);
  await sendBody(res, await file.read(plan.body.start, plan.body.end), plan.body, faults, n);
}

/** A 206 (or a HEAD's answer) sent with a Content-Encoding (faults `gzip-range`, `gzip-whole-range`, `unknown-encoding`). */
async function sendEncoded(res: ServerResponse, method: string | undefined, file: ServedFile, plan: Plan, faults: Faults): Promise<void> {
  const { start, end } = plan.body!;
  let body: Uint8Array;
  let coding = 'gzip';
  if (faults.has('unknown-encoding')) [body, coding] = [await file.read(start, end), 'x-squash'];
  else if (faults.has('gzip-whole-range')) body = gzipSync(await file.read(start, Math.min(file.size, end + 4096)));
  else body = gzipSync(await file.read(start, end));
  // As a compressing proxy sends it: chunked, no Content-Length.
  const { 'Content-Length': _, ...headers } = plan.headers;
  res.writeHead(plan.status, { ...headers, 'Content-Encoding': coding });
  res.end(method === 'HEAD' ? undefined : body);
}

const digests = new Map<string, string>();

/** SHA-256 (hex) of a served file's bytes, computed once per name, size and version. */
async function sha256Of(file: ServedFile): Promise<string> {
  const key = `${file.etag}|${file.size}`;
  let d = digests.get(key);
  if (!d)
    digests.set(
      key,
      (d = createHash('sha256')
        .update(await file.read(0, file.size))
        .digest('hex')),
    );
  return d;
}

function preflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    ...CORS_HEADERS,
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Range, If-Range',
    'Access-Control-Max-Age': '600',
  });
  res.end();
}

function track(tagStats: Map<string, TagStats>, tag: string | null, req: IncomingMessage, res: ServerResponse): TagStats | undefined {
  if (tag === null || req.method !== 'GET') return undefined;
  let s = tagStats.get(tag);
  if (!s) tagStats.set(tag, (s = emptyStats()));
  s.requests++;
  s.inFlight++;
  s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
  if (s.ranges.length < 1000) s.ranges.push(req.headers.range ?? '');
  if (s.ifRanges.length < 1000) s.ifRanges.push(String(req.headers['if-range'] ?? ''));
  res.once('close', () => {
    s.inFlight--;
    if (!res.writableFinished) s.cutShort++;
  });
  return s;
}

/** Faults answered before any range logic; true when the response is done. */
function earlyFault(req: IncomingMessage, res: ServerResponse, faults: Faults, n: number): boolean {
  const firstN = (kind: 'reset' | '503-then-ok') => n > 0 && n <= (faults.get(kind) ?? 0);
  if (firstN('reset')) return (void req.socket.destroy(), true);
  if (firstN('503-then-ok')) return (void res.writeHead(503, CORS_HEADERS).end('busy\n'), true);
  const after = faults.get('429-retry-after') ?? faults.get('429-retry-date');
  if (after !== undefined && n === 1) {
    const value = faults.has('429-retry-after') ? String(after) : new Date(Date.now() + after * 1000).toUTCString();
    return (void res.writeHead(429, { ...CORS_HEADERS, 'Retry-After': value }).end('slow down\n'), true);
  }
  if (faults.has('html')) {
    res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': HTML_PAGE.length });
    return (void res.end(req.method === 'HEAD' ? undefined : HTML_PAGE), true);
  }
  return false;
}

/** Faults whose bodies are paced by the socket (odd-answers.ts), so `bytesSent` shows what a cancel saved. */
const PACED = ['sirv', 'whole-206', 'early-206', 'trickle'] as const;

interface Plan {
  status: number;
  headers: Record<string, string | number>;
  body?: BodyPlan;
}

function planResponse(req: IncomingMessage, file: ServedFile, faults: Faults): Plan {
  const headers: Record<string, string | number> = {
    ...CORS_HEADERS,
    'Accept-Ranges': 'bytes',
    ETag: file.etag,
    'Last-Modified': file.lastModified,
    'Content-Type': file.contentType,
    'Cache-Control': 'no-cache',
  };
  const whole = (): Plan => ({ status: 200, headers: { ...headers, 'Content-Length': file.size }, body: { start: 0, end: file.size, declared: file.size } });
  const rangeHeader = req.headers.range;
  if (!rangeHeader || faults.has('ignore-range')) return whole();
  const ifRange = req.headers['if-range'];
  if (typeof ifRange === 'string' && !faults.has('no-if-range') && !ifRangeMatches(ifRange, file)) return whole();
  let range = faults.has('sirv') ? sirvRange(rangeHeader, file.size) : parseRange(rangeHeader, file.size);
  if (range === 'ignore') return whole();
  if (range === 'unsatisfiable' || faults.has('always-416')) {
    return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${file.size}`, 'Content-Length': 0 } };
  }
  const answered = coveringRange(faults, rangeHeader, range, file.size);
  if (answered === 'unsatisfiable') return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${file.size}`, 'Content-Length': 0 } };
  range = answered;
  let [start, end] = range;
  const span = end - start + 1;
  if (faults.has('wrong-content-range')) [start, end] = end + 1 < file.size ? [start + 1, end + 1] : [start - 1, end - 1];
  const out: Record<string, string | number> = { ...headers, 'Content-Range': `bytes ${start}-${end}/${file.size}` };
  const chunked = faults.has('short-body-chunked') || faults.has('long-body');
  const declared = faults.has('short-body') ? Math.max(0, span - 16) : span;
  if (!chunked) out['Content-Length'] = declared;
  return { status: 206, headers: out, body: { start: range[0], end: range[1] + 1, declared } };
}

/** `If-Range` holds when it equals the strong ETag or, for a date, the exact Last-Modified. */
function ifRangeMatches(value: string, file: ServedFile): boolean {
  if (value.startsWith('"')) return value === file.etag;
  return !value.startsWith('W/') && value === file.lastModified;
}

/** One `bytes=` range resolved against `size`: [first, last] inclusive. Multi-ranges and junk are ignored (200). */
export function parseRange(header: string, size: number): [number, number] | 'ignore' | 'unsatisfiable' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'ignore';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const first = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < first) return 'ignore';
  if (first >= size) return 'unsatisfiable';
  const last = m[2] === '' ? size - 1 : Number(m[2]);
  return [first, Math.min(last, size - 1)];
}

function htmlFile(file: ServedFile): ServedFile {
  return { ...file, size: HTML_PAGE.length, read: async (s, e) => HTML_PAGE.subarray(s, e) };
}

/** The file with its first bytes replaced: an HTML page (`html-front`) or another tensor_count (`tensor-count/N`). */
function patchedFront(file: ServedFile, faults: Faults): ServedFile {
  const front = faults.has('html-front') ? HTML_PAGE : new Uint8Array(new BigUint64Array([BigInt(faults.get('tensor-count') ?? 0)]).buffer);
  const at = faults.has('html-front') ? 0 : 8;
  return {
    ...file,
    read: async (s, e) => {
      const bytes = (await file.read(s, e)).slice();
      for (let i = Math.max(s, at); i < Math.min(e, at + front.length); i++) bytes[i - s] = front[i - at];
      return bytes;
    },
  };
}

/** The same file after a change on the server: other bytes (from byte `from` on), ETag and date. */
function nextVersion(file: ServedFile, from = 0): ServedFile {
  const lastModified = new Date(Date.parse(file.lastModified) + 3_600_000).toUTCString();
  return {
    ...file,
    etag: file.etag.replace(/"$/, '-v2"'),
    lastModified,
    read: async (s, e) => (await file.read(s, e)).map((b, i) => (s + i >= from ? b ^ 0x5a : b)),
  };
}
