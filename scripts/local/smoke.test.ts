import pg from 'pg';
import { expect, inject, test } from 'vitest';

test('the test Postgres answers and has pg_trgm', async () => {
  const c = new pg.Client(inject('databaseUrl'));
  await c.connect();
  const { rows } = await c.query("select count(*)::int as n from pg_available_extensions where name = 'pg_trgm'");
  await c.end();
  expect(rows[0].n).toBe(1);
});
