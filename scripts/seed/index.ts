/**
 * Seeding at the planning documents' scale, deterministically (see sql.ts), into whatever
 * tables exist. Idempotent: rows carry fixed ids and every insert skips what is there, so a
 * second run adds nothing and an interrupted one completes. `reset` removes every seeded row
 * (all of it hangs off the seeded users, whose emails end with @seed.sabaq.local).
 */
import pg from 'pg';
import { hashPassword, verifyPassword } from '../../workers/identity/password.ts';
import { SEED_EMAIL_DOMAIN, seededPassword } from './accounts.ts';
import { planFor, type SeedPlan } from './plan.ts';
import { helperSql } from './sql.ts';
import { ASSESSMENT_SEEDERS } from './assessments.ts';
import { CONSULTATION_SEEDERS } from './consultations.ts';
import { PAYMENT_SEEDERS } from './payments.ts';
import { SEEDERS as CORE_SEEDERS, computeCourseStats, upsertCategories, type SeedContext } from './tables.ts';

/** Every table seeder, in dependency order; a domain's tables are seeded once they exist. */
const SEEDERS = [...CORE_SEEDERS, ...ASSESSMENT_SEEDERS, ...PAYMENT_SEEDERS, ...CONSULTATION_SEEDERS];

export interface SeedOptions {
  databaseUrl: string;
  pepper: string;
  scale?: number;
  seed?: number;
  /** Delete previously seeded rows first. */
  reset?: boolean;
  parallel?: number;
  log?: (line: string) => void;
}

export interface TableResult {
  table: string;
  status: 'seeded' | 'skipped';
  inserted: number;
  /** Seeded rows in the table after the run. */
  total: number;
  ms: number;
  note?: string;
}

export interface SeedResult {
  plan: SeedPlan;
  password: string;
  tables: TableResult[];
  ms: number;
}

const SEEDED_USERS = `select id from users where email like '%@${SEED_EMAIL_DOMAIN}'`;

/** Counts the seeded rows of a table (those that hang off seeded users or courses). */
const OWNED_BY: Record<string, string> = {
  users: `email like '%@${SEED_EMAIL_DOMAIN}'`,
  children: `parent_id in (${SEEDED_USERS})`,
  courses: `teacher_id in (${SEEDED_USERS})`,
  modules: `course_id in (select id from courses where teacher_id in (${SEEDED_USERS}))`,
  lessons: `course_id in (select id from courses where teacher_id in (${SEEDED_USERS}))`,
  enrollments: `user_id in (${SEEDED_USERS})`,
  notifications: `user_id in (${SEEDED_USERS}) and dedupe_key like 'enrollment:%'`,
  lesson_progress: `user_id in (${SEEDED_USERS})`,
  reviews: `user_id in (${SEEDED_USERS})`,
  favorites: `user_id in (${SEEDED_USERS})`,
  tests: `author_id in (${SEEDED_USERS})`,
  attempts: `user_id in (${SEEDED_USERS})`,
  attempt_answers: `attempt_id in (select id from attempts where user_id in (${SEEDED_USERS}))`,
  results: `user_id in (${SEEDED_USERS})`,
  payments: `user_id in (${SEEDED_USERS})`,
  specialists: `id in (${SEEDED_USERS})`,
  bookings: `specialist_id in (${SEEDED_USERS})`,
};

async function tableExists(pool: pg.Pool, name: string): Promise<boolean> {
  const { rows } = await pool.query<{ ok: boolean }>(`select to_regclass($1) is not null as ok`, [`public.${name}`]);
  return rows[0]!.ok;
}

async function countSeeded(pool: pg.Pool, table: string): Promise<number> {
  const where = OWNED_BY[table];
  if (!where) return -1;
  const { rows } = await pool.query<{ n: string }>(`select count(*) as n from ${table} where ${where}`);
  return Number(rows[0]!.n);
}

interface ForeignKey {
  child: string;
  column: string;
  action: 'c' | 'n' | 'd' | 'a' | 'r';
}

/** Single-column foreign keys pointing at `table`, with their ON DELETE action. */
async function referencing(client: pg.PoolClient, table: string): Promise<ForeignKey[]> {
  const { rows } = await client.query<{ child: string; column: string; action: ForeignKey['action'] }>(
    `select c.conrelid::regclass::text as child, a.attname as column, c.confdeltype as action
     from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
     where c.contype = 'f' and c.confrelid = $1::regclass and array_length(c.conkey, 1) = 1`,
    [table],
  );
  return rows;
}

let tempTables = 0;

/**
 * Deletes the rows of `table` matching `where`, and everything that references them, set by
 * set: one statement per foreign key instead of a trigger per row. Row-by-row cascades are
 * slow where the referencing column has no index of its own (lesson_progress.lesson_id: a
 * full scan of the table per deleted lesson), so triggers are switched off for the session
 * (superuser; the embedded Postgres is) and the cascade is done here, for every foreign key
 * the catalog lists — including tables added later by other domains.
 */
async function cascadeDelete(client: pg.PoolClient, table: string, where: string, depth = 0): Promise<number> {
  if (depth > 8) throw new Error(`foreign keys nest too deep below ${table}`);
  const tmp = `seed_del_${++tempTables}`;
  const hasId = (
    await client.query(`select 1 from pg_attribute where attrelid = $1::regclass and attname = 'id' and not attisdropped`, [table])
  ).rowCount;
  const fks = await referencing(client, table);
  if (!hasId || !fks.length) return (await client.query(`delete from ${table} where ${where}`)).rowCount ?? 0;
  await client.query(`create temp table ${tmp} on commit drop as select id from ${table} where ${where}`);
  await client.query(`create index on ${tmp} (id)`);
  for (const fk of fks) {
    const match = `${fk.column} in (select id from ${tmp})`;
    if (fk.action === 'c') await cascadeDelete(client, fk.child, match, depth + 1);
    else if (fk.action === 'n') await client.query(`update ${fk.child} set ${fk.column} = null where ${match}`);
    else if (fk.action === 'd') await client.query(`update ${fk.child} set ${fk.column} = default where ${match}`);
    else if ((await client.query(`select 1 from ${fk.child} where ${match} limit 1`)).rowCount) {
      // NO ACTION / RESTRICT: with triggers off Postgres would not stop us, so we do.
      throw new Error(`cannot reset: rows of ${fk.child} (${fk.column}) still reference ${table} and its foreign key does not cascade`);
    }
  }
  return (await client.query(`delete from ${table} where id in (select id from ${tmp})`)).rowCount ?? 0;
}

/** Deletes every seeded row: the seeded users and everything that hangs off them. */
export async function resetSeed(databaseUrl: string, log: (s: string) => void = () => {}): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const client = await pool.connect();
  try {
    const started = Date.now();
    await client.query('set synchronous_commit = off');
    const superuser = (await client.query<{ s: boolean }>(`select rolsuper as s from pg_roles where rolname = current_user`)).rows[0]?.s;
    await client.query('begin');
    if (superuser) await client.query(`set local session_replication_role = replica`);
    const n = await cascadeDelete(client, 'users', `email like '%@${SEED_EMAIL_DOMAIN}'`);
    await client.query('commit');
    log(`reset: removed ${n} seeded users and everything that hangs off them in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return n;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
    await pool.end();
  }
}

/** Sets enrollment and rating counters of seeded courses from the rows, where they differ. */
async function recountCourses(query: SeedContext['query'], withReviews: boolean): Promise<number> {
  const r = await query(
    `with e as (select course_id, count(*)::int as n from enrollments group by course_id),
          r as (${withReviews ? 'select course_id, sum(rating)::int as s, count(*)::int as k from reviews where not hidden group by course_id' : 'select null::uuid as course_id, 0 as s, 0 as k where false'}),
          t as (select c.id, coalesce(e.n, 0) as n, coalesce(r.s, 0) as s, coalesce(r.k, 0) as k
                from courses c left join e on e.course_id = c.id left join r on r.course_id = c.id
                where c.teacher_id in (${SEEDED_USERS}))
     update courses c set enrollment_count = t.n, popularity = t.n, rating_sum = t.s, rating_count = t.k,
                          rating_avg = case when t.k > 0 then round(t.s::numeric / t.k, 2) else 0 end
     from t where c.id = t.id and (c.enrollment_count, c.popularity, c.rating_sum, c.rating_count) is distinct from (t.n, t.n, t.s, t.k)`,
  );
  return r.rowCount ?? 0;
}

/** The shared password hash: reused from a seeded user when it still verifies (same pepper). */
async function passwordHashFor(pool: pg.Pool, password: string, pepper: string): Promise<{ hash: string; reused: boolean }> {
  const { rows } = await pool.query<{ password_hash: string }>(
    `select password_hash from users where email like '%@${SEED_EMAIL_DOMAIN}' limit 1`,
  );
  const existing = rows[0]?.password_hash;
  if (existing && (await verifyPassword(password, existing, pepper)).ok) return { hash: existing, reused: true };
  return { hash: await hashPassword(password, pepper), reused: false };
}

export async function seedScale(opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? (() => {});
  const plan = planFor(opts.scale ?? 1, opts.seed);
  const started = Date.now();
  if (opts.reset) await resetSeed(opts.databaseUrl, log);

  const parallel = opts.parallel ?? 2;
  // Categories first: the helper functions embed their ids.
  const setup = new pg.Client({ connectionString: opts.databaseUrl });
  await setup.connect();
  let categoryIds: string[];
  try {
    categoryIds = await upsertCategories(setup);
  } finally {
    await setup.end();
  }
  const helpers = helperSql(plan, categoryIds);
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: parallel + 1 });
  pool.on('error', (err) => log(`idle connection error: ${err.message}`));
  // Every connection gets the helpers before its first use. Bulk load: no need to wait for
  // each commit's WAL flush (a crash just means re-running).
  const ready = new WeakSet<pg.PoolClient>();
  const connect = async () => {
    const client = await pool.connect();
    if (!ready.has(client)) {
      await client.query(`set synchronous_commit = off; set work_mem = '64MB'; ${helpers}`);
      ready.add(client);
    }
    return client;
  };
  const query = async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
    const client = await connect();
    try {
      return await client.query<R>(text, values);
    } finally {
      client.release();
    }
  };
  try {
    const password = seededPassword();
    const { hash, reused } = await passwordHashFor(pool, password, opts.pepper);
    if (!reused) {
      // The pepper changed (or first run): every seeded account gets the fresh hash.
      await pool.query(`update users set password_hash = $1 where email like '%@${SEED_EMAIL_DOMAIN}'`, [hash]);
    }

    const ctx: SeedContext = {
      connect,
      query,
      plan,
      passwordHash: hash,
      parallel,
      log,
      tableExists: (name) => tableExists(pool, name),
    };
    const exists = new Map<string, boolean>();
    for (const t of new Set(['categories', ...SEEDERS.flatMap((s) => [s.table, ...(s.needs ?? [])])]))
      exists.set(t, await tableExists(pool, t));
    ctx.courseStats = await computeCourseStats(ctx, exists.get('enrollments')!, exists.get('reviews')!);

    const tables: TableResult[] = [];
    for (const seeder of SEEDERS) {
      const t0 = Date.now();
      const missing = [seeder.table, ...(seeder.needs ?? [])].filter((t) => !exists.get(t));
      if (missing.length) {
        tables.push({
          table: seeder.table,
          status: 'skipped',
          inserted: 0,
          total: 0,
          ms: 0,
          note: `table ${missing.join(', ')} does not exist yet`,
        });
        log(`${seeder.table}: skipped (${missing.join(', ')} not there yet)`);
        continue;
      }
      log(`${seeder.table}…`);
      const inserted = await seeder.run(ctx);
      const total = await countSeeded(pool, seeder.table);
      const ms = Date.now() - t0;
      tables.push({ table: seeder.table, status: 'seeded', inserted, total, ms });
      log(`${seeder.table}: +${inserted} rows (${total >= 0 ? `${total} seeded in total, ` : ''}${(ms / 1000).toFixed(1)} s)`);
    }
    // Course counters must match the rows (a re-run may have added reviews or enrollments to courses seeded earlier).
    if (exists.get('enrollments')) {
      const t1 = Date.now();
      const fixed = await recountCourses(query, exists.get('reviews')!);
      log(`course counters: ${fixed} corrected (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
    }
    // Planner statistics and the visibility map for the new rows now, so the first queries plan
    // well and autovacuum does not start churning through a gigabyte in the middle of a benchmark.
    const t0 = Date.now();
    const changed = tables.filter((t) => t.status === 'seeded' && t.inserted > 0).map((t) => t.table);
    for (const t of changed) await pool.query(`vacuum (analyze) ${t}`);
    log(`vacuum (analyze) of ${changed.length} tables: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { plan, password, tables, ms: Date.now() - started };
  } finally {
    await pool.end();
  }
}
