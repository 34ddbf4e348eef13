/**
 * The browser: Debian's `chromium` driven by playwright-core (`npx playwright install`
 * cannot download browsers on these machines). A fresh CI machine may not have it yet:
 * as root we install it with apt; otherwise we fail and say how to get it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function run(log: (line: string) => void, cmd: string, args: string[]): void {
  log(`$ ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (res.error) throw new Error(`${cmd} could not run: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status}`);
}

/** Makes sure the Chromium binary exists, installing Debian's package as root if needed. */
export function ensureChromium(log: (line: string) => void): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const how = 'Install it with `sudo apt-get install -y --no-install-recommends chromium` (or point CHROMIUM_PATH at a Chromium binary).';
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH} and the browser tests are not running as root, so they cannot install it. ${how}`,
    );
  }
  log(`Chromium is missing at ${CHROMIUM_PATH}: installing Debian's chromium package…`);
  try {
    run(log, 'apt-get', ['update']);
    run(log, 'apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
  } catch (err) {
    throw new Error(`Could not install Chromium with apt-get: ${err instanceof Error ? err.message : String(err)}. ${how}`);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is still missing. ${how}`);
  log(`Chromium installed at ${CHROMIUM_PATH}.`);
  return CHROMIUM_PATH;
}
