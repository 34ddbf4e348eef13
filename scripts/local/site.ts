import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Builds the Astro site into site/dist (the Worker's static assets). */
export function buildSite(opts: { root: string; log?: (s: string) => void }): Promise<void> {
  opts.log?.('building the site…');
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['astro', 'build', '--root', join(opts.root, 'site'), '--silent'], {
      cwd: opts.root,
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`astro build exited with ${code}`))));
  });
}
