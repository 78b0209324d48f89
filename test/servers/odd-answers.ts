/**
 * Answers of real servers that are legal but not what was asked, for the
 * test range server (faults.ts kinds `sirv`, `whole-206`, `early-206`,
 * `trickle`, `redirect-loop`), and a body writer that paces itself by the
 * socket, so the bytes it counts are the bytes the client let through before
 * it cancelled.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from './faults.ts';
import type { ServedFile } from './files.ts';

/**
 * The range Vite's static server (sirv 3.0.2) answers for `header`, as its
 * code parses it: `parseInt(end) || size - 1` and `parseInt(start) || 0`, so
 * `bytes=0-0` gets the whole file and `bytes=-10` gets bytes 0-10.
 */
export function sirvRange(header: string, size: number): [number, number] | 'unsatisfiable' {
  const [x, y] = header.replace('bytes=', '').split('-');
  let end = parseInt(y, 10) || size - 1;
  const start = parseInt(x, 10) || 0;
  if (end >= size) end = size - 1;
  return start >= size ? 'unsatisfiable' : [start, end];
}

/** The range actually answered for the range asked, [first, last], under the covering faults. */
export function coveringRange(faults: Faults, header: string, asked: [number, number], size: number): [number, number] | 'unsatisfiable' {
  if (faults.has('sirv')) return sirvRange(header, size);
  if (faults.has('whole-206')) return [0, size - 1];
  const n = faults.get('early-206');
  if (n !== undefined) return [Math.max(0, asked[0] - n), Math.min(size - 1, asked[1] + n)];
  return asked;
}

/** `redirect-loop`: a 302 to the same path with the next loop count; true when answered. */
export function redirectLoop(req: IncomingMessage, res: ServerResponse, faults: Faults, cors: Record<string, string>): boolean {
  if (!faults.has('redirect-loop')) return false;
  const url = new URL(req.url ?? '/', 'http://localhost');
  url.searchParams.set('hop', String(Number(url.searchParams.get('hop') ?? 0) + 1));
  res.writeHead(302, { ...cors, Location: url.pathname + url.search, 'Content-Length': 0 }).end();
  return true;
}

const PIECE = 256 << 10;

/**
 * Writes file bytes [start, end) piece by piece, each only after the socket
 * drained the last (so nothing is buffered ahead of the client), counting the
 * bytes handed on; stops when the client closes. `trickle/MS` sends one byte
 * every MS ms instead.
 */
export async function sendPaced(res: ServerResponse, file: ServedFile, start: number, end: number, faults: Faults, onSent: (n: number) => void): Promise<void> {
  const trickle = faults.get('trickle');
  const piece = trickle === undefined ? PIECE : 1;
  res.flushHeaders();
  for (let at = start; at < end && !res.destroyed; at += piece) {
    if (trickle !== undefined) await new Promise((ok) => setTimeout(ok, trickle));
    if (res.destroyed) return;
    const bytes = await file.read(at, Math.min(end, at + piece));
    onSent(bytes.length);
    if (!res.write(bytes)) await drained(res);
  }
  if (!res.destroyed) res.end();
}

/** Resolves on the response's next `drain` or its `close`, leaving no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((ok) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      ok();
    };
    res.on('drain', done).on('close', done);
  });
}
