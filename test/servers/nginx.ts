/**
 * nginx as a reference Range server for the tests: Debian's package, run in
 * the foreground on a free loopback port with a generated config whose pid,
 * logs and temp paths all live in a temp dir. Adds CORS/CORP headers and
 * answers OPTIONS preflights so an isolated page can read it cross-origin.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface NginxServer {
  url: string;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx'];

/** `$NGINX_PATH`, then PATH, then the usual places; on Debian as root, installs the package. */
export function findNginx(): string {
  const fromEnv = process.env.NGINX_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const onPath = (process.env.PATH ?? '').split(':').map((d) => join(d, 'nginx'));
  const found = [...onPath, ...CANDIDATES].find((p) => existsSync(p));
  if (found) return found;
  if (existsSync('/etc/debian_version') && process.getuid?.() === 0) {
    process.stdout.write('[nginx] not found: running `apt-get update && apt-get install -y nginx` (needed by the nginx range tests)\n');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'nginx'], { stdio: 'inherit', env });
    const installed = CANDIDATES.find((p) => existsSync(p));
    if (installed) return installed;
  }
  throw new Error(
    'nginx not found for the HTTP range tests: install it (Debian/Ubuntu: `sudo apt-get install -y nginx`, macOS: `brew install nginx`) or set NGINX_PATH',
  );
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
      .once('error', fail)
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => ok(port));
      });
  });
}

function config(dir: string, root: string, port: number): string {
  const cors = [
    'Access-Control-Allow-Origin *',
    'Access-Control-Expose-Headers "Content-Range, Accept-Ranges, Content-Length, ETag, Last-Modified"',
    'Access-Control-Allow-Headers "Range, If-Range"',
    'Cross-Origin-Resource-Policy cross-origin',
  ]
    .map((h) => `      add_header ${h} always;`)
    .join('\n');
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : '';
  return `${user}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  sendfile on;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / {
${cors}
      if ($request_method = OPTIONS) { return 204; }
    }
  }
}
`;
}

async function waitUntilUp(url: string, exited: () => string | undefined, log: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const why = exited();
    if (why !== undefined) throw new Error(`nginx exited (${why}): ${await readFile(log, 'utf8').catch(() => '')}`);
    try {
      await fetch(url, { method: 'HEAD' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nginx did not answer at ${url} within 10 s`);
}

/** Serves `root` with nginx on 127.0.0.1 until `stop()`. */
export async function startNginx(root: string): Promise<NginxServer> {
  const bin = findNginx();
  const dir = await mkdtemp(join(tmpdir(), 'gguf-pager-nginx-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'nginx.conf');
    await writeFile(conf, config(dir, root, port));
    const child = spawn(bin, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let exit: string | undefined;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code, signal) => (exit = `code ${code ?? signal}: ${stderr.trim()}`));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntilUp(url, () => exit, join(dir, 'error.log'));
    } catch (e) {
      child.kill('SIGKILL');
      if (attempt < 2 && /Address already in use/.test(String(e))) continue;
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    const stop = async () => {
      if (exit === undefined) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (exit === undefined) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    };
    return { url, stop };
  }
}
