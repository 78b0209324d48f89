// Child process for test/unit/http-source-close.test.ts: a server and an HttpRangeSource in one
// process; ten adjacent reads share a request, close() follows at once; the process must then exit.
import { createServer } from 'node:http';
const { HttpRangeSource } = await import(process.argv[2]);
const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
const srv = createServer((req, res) => {
  const [, a, b] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '').map(Number);
  res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${bytes.length}`, 'Content-Length': b - a + 1, ETag: '"v1"' });
  res.end(bytes.subarray(a, b + 1));
}).listen(0, '127.0.0.1');
await new Promise((ok) => srv.once('listening', ok));
const src = await HttpRangeSource.open(`http://127.0.0.1:${srv.address().port}/m.gguf`);
const reads = Array.from({ length: 10 }, (_, i) => ({ at: 14_176 + i * 40_000, into: new Uint8Array(40_000) }));
await Promise.all(reads.map((r) => src.readInto(r.at, r.into)));
await src.close();
srv.close();
const ok = reads.every((r) => r.into.every((v, j) => v === ((r.at + j) * 7 & 0xff)));
process.stdout.write(ok ? 'read ok\n' : 'BAD BYTES\n');
