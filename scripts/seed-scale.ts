/**
 * `npm run seed:scale`: fills the local database to the planning documents' scale —
 * 50,000 users (all roles, parents with children), 100,000 courses with modules and lessons
 * in ru/kk/en, 200,000 enrollments… — deterministically, in a few minutes.
 *
 *   npm run seed:scale                      # the dev database (.data, as `npm start` uses)
 *   npm run seed:scale -- --reset           # remove seeded rows first, then seed again
 *   npm run seed:scale -- --reset-only      # just remove them
 *   npm run seed:scale -- --scale 0.1       # a tenth of everything
 *   DATABASE_URL=postgres://… npm run seed:scale
 *
 * The database: DATABASE_URL, else the embedded cluster of the data folder (DATA_DIR, default
 * .data) — reached where it already runs (`npm start`, `npm run serve:prod`) or started for the
 * duration. Migrations are applied first. Only loopback databases unless --force.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrateDatabase } from './local/migrate.ts';
import { startPostgres, type PostgresHandle } from './local/postgres.ts';
import { loadLocalSecrets } from './local/secrets.ts';
import { SEED_EMAIL_DOMAIN } from './seed/accounts.ts';
import { resetSeed, seedScale } from './seed/index.ts';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '20261122' },
    reset: { type: 'boolean', default: false },
    'reset-only': { type: 'boolean', default: false },
    parallel: { type: 'string', default: '2' },
    force: { type: 'boolean', default: false },
  },
});

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? join(root, '.data'));
const say = (line: string) => console.log(`[seed:scale] ${line}`);

/** The embedded cluster's port when its server is already running, from postmaster.pid. */
function runningEmbeddedPort(dir: string): number | undefined {
  const pidFile = join(dir, 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(lines[0]), 0);
  } catch {
    return undefined;
  }
  const port = Number(lines[3]);
  return port > 0 ? port : undefined;
}

let server: PostgresHandle | undefined;
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  const port = runningEmbeddedPort(dataDir);
  if (port) {
    // Same credentials as scripts/local/postgres.ts gives the embedded cluster.
    databaseUrl = `postgres://postgres:sabaq-local@127.0.0.1:${port}/sabaq`;
    say(`using the running embedded Postgres of ${dataDir} (port ${port})`);
  } else {
    server = await startPostgres({ dataDir, persistent: true, preferredPort: 54329 });
    databaseUrl = server.url;
    say(`started the embedded Postgres of ${dataDir}`);
  }
}
const host = new URL(databaseUrl).hostname;
if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) && !args.force) {
  say(`refusing to seed ${host}: not a local database (pass --force if you mean it)`);
  process.exit(1);
}

try {
  await migrateDatabase(databaseUrl);
  if (args['reset-only']) {
    await resetSeed(databaseUrl, say);
  } else {
    const pepper = process.env.PASSWORD_PEPPER || loadLocalSecrets(dataDir).PASSWORD_PEPPER;
    const result = await seedScale({
      databaseUrl,
      pepper,
      scale: Number(args.scale),
      seed: Number(args.seed),
      reset: args.reset,
      parallel: Number(args.parallel),
      log: say,
    });
    say('');
    say(`${'table'.padEnd(16)} ${'inserted'.padStart(10)} ${'seeded'.padStart(10)} ${'time'.padStart(8)}`);
    for (const t of result.tables) {
      if (t.status === 'skipped')
        say(`${t.table.padEnd(16)} ${'—'.padStart(10)} ${'—'.padStart(10)} ${''.padStart(8)}  skipped: ${t.note}`);
      else
        say(
          `${t.table.padEnd(16)} ${String(t.inserted).padStart(10)} ${String(t.total).padStart(10)} ${(t.ms / 1000).toFixed(1).padStart(7)}s`,
        );
    }
    say(`done in ${(result.ms / 1000).toFixed(1)} s (scale ${result.plan.scale}, seed ${result.plan.seed})`);
    say(
      `accounts: admin.1 / teacher.<1..${result.plan.teachers}> / parent.<1..${result.plan.parents}> / learner.<1..${result.plan.learners}> @${SEED_EMAIL_DOMAIN}`,
    );
    say(`password of every seeded account: ${result.password}`);
  }
} finally {
  await server?.stop();
}
