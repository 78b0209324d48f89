// Finds a Chromium for the tests, or installs Debian's package when it may.
// Order: $CHROMIUM_PATH, /usr/bin/chromium, Playwright's own download; then,
// on Debian as root, `apt-get install -y chromium` (said aloud); else a message.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

function playwrightChromium() {
  try {
    const { chromium } = createRequire(import.meta.url)('playwright');
    const p = chromium.executablePath();
    return p && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

function onDebianAsRoot() {
  return existsSync('/etc/debian_version') && typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Installs Debian packages with apt-get, printing what it does. */
export function aptInstall(packages) {
  const log = (m) => process.stdout.write(`[setup] ${m}\n`);
  log(`installing Debian package(s) ${packages.join(', ')} with apt-get (needed by the tests)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
  log(`installed ${packages.join(', ')}`);
}

export function findChromium({ install = true } = {}) {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const pw = playwrightChromium();
  if (pw) return pw;
  if (install && onDebianAsRoot()) {
    aptInstall(['chromium']);
    if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  }
  throw new Error(
    'No Chromium found for the browser tests. Set CHROMIUM_PATH to a Chromium/Chrome binary, ' +
      'or install one: on Debian/Ubuntu `sudo apt-get install chromium`, elsewhere `npx playwright install chromium`.',
  );
}

export function findNginx({ install = true } = {}) {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || null;
  } catch {
    /* not on PATH */
  }
  if (install && onDebianAsRoot()) {
    aptInstall(['nginx']);
    return findNginx({ install: false });
  }
  return null;
}
