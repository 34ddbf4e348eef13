/**
 * `npm test`: every check, in the order a failure is cheapest to find —
 * type check, site build, all tests (Node side and inside workerd against the real local
 * stack), then the production bundle built offline with `wrangler deploy --dry-run`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSite } from './local/site.ts';

const root = resolve(import.meta.dirname, '..');
const outDir = join(root, '.data', 'test');
mkdirSync(outDir, { recursive: true });
const say = (line: string) => console.log(`[test] ${line}`);
const timings: [string, number][] = [];

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code) => done(code ?? 1));
    child.on('error', () => done(1));
  });
}

async function step(name: string, fn: () => Promise<number | void>): Promise<boolean> {
  const started = Date.now();
  say(`${name}…`);
  let ok = true;
  try {
    const code = await fn();
    ok = code === undefined || code === 0;
  } catch (err) {
    console.error(err);
    ok = false;
  }
  timings.push([name, Date.now() - started]);
  if (!ok) say(`${name} FAILED`);
  return ok;
}

const offline = {
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  XDG_CONFIG_HOME: join(root, '.data', 'config'),
  ASTRO_TELEMETRY_DISABLED: '1',
};
const extra = process.argv.slice(2);
const results: Record<string, boolean> = {};

results.typecheck = await step('type check', () => run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']));
// The site's API types are generated from the Worker's OpenAPI document: stale ones fail here.
results.apiTypes = await step('site API types match the OpenAPI document', () =>
  run('npx', ['tsx', '--import', './scripts/api-types/register.mjs', 'scripts/api-types/generate.ts', '--check']),
);
// Env's bindings are checked against wrangler.toml's (workers/worker-configuration.d.ts, `npm run cf-typegen`).
results.wranglerTypes = await step('Worker binding types match wrangler.toml', () =>
  run('npx', ['wrangler', 'types', 'workers/worker-configuration.d.ts', '--include-runtime=false', '--check'], offline),
);
// The site's client scripts and libraries, with the DOM types and the same strictness.
results.siteTypecheck = await step('type check (site)', () => run('npx', ['tsc', '--noEmit', '-p', 'site/tsconfig.json']));
results.lint = await step('lint and format (biome check)', () => run('npx', ['biome', 'check', '.']));
results.site = await step('site build', () => buildSite({ root }));
const reportFile = join(outDir, 'vitest.json');
results.tests = await step('tests', () =>
  run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...extra], offline),
);
results.bundle = await step('production bundle (wrangler deploy --dry-run)', () =>
  run('npx', ['wrangler', 'deploy', '--dry-run', '--env', 'production', '--outdir', join(outDir, 'bundle')], offline),
);

for (const [name, ms] of timings) say(`${name.padEnd(48)} ${(ms / 1000).toFixed(1)} s`);
let passed = 0;
let failed = 0;
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  // The report is the source of truth: a failed test fails the run whatever Vitest's exit code.
  if (failed > 0) results.tests = false;
}
const failedSteps = Object.entries(results)
  .filter(([, ok]) => !ok)
  .map(([k]) => k);
// Steps other than the test run count as one failed check each.
const stepFailures = failedSteps.filter((s) => s !== 'tests').length;
console.log(`tests: ${passed} passed, ${failed + stepFailures} failed`);
if (failedSteps.length) {
  say(`failed: ${failedSteps.join(', ')}`);
  process.exit(1);
}
