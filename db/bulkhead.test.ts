/**
 * The isolate's Postgres bulkhead (db/client.ts): at most MAX_DB_INFLIGHT round trips in
 * flight and DB_QUEUE waiting; the excess is refused at once, and the API answers it as the
 * isolate being past its capacity — 503 `overloaded` with Retry-After, like an admission
 * refusal — not as the database being down.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDatabase, DB_QUEUE, isDatabaseBusy, isDatabaseUnavailable, MAX_DB_INFLIGHT } from './client.ts';
import { api, show } from '../tests/support/http.ts';
import { registerUser, testDb, vars } from '../tests/support/users.ts';

describe('the Postgres bulkhead', () => {
  it('refuses round trips past its slots and queue, and the API answers them 503 overloaded', async () => {
    const user = await registerUser('learner');
    testDb(); // points the driver at the local endpoints
    const db = createDatabase({ url: vars.DATABASE_URL!, httpEndpoint: vars.NEON_HTTP_ENDPOINT, wsProxy: vars.NEON_WS_PROXY });
    const total = MAX_DB_INFLIGHT + DB_QUEUE + 16;
    const slow = Array.from({ length: total }, () =>
      db.db.execute(sql`select pg_sleep(0.5)`).then(
        () => 'ok' as const,
        (err: unknown) => err,
      ),
    );
    // While every slot is taken and the queue is full, a request that needs Postgres is shed.
    await new Promise((r) => setTimeout(r, 50));
    const res = await api('GET', '/api/me', { token: user.token });
    const outcomes = await Promise.all(slow);
    const refused = outcomes.filter((o) => o !== 'ok');
    expect(refused.length).toBeGreaterThanOrEqual(16);
    for (const err of refused) {
      expect(isDatabaseBusy(err), String(err)).toBe(true);
      expect(isDatabaseUnavailable(err)).toBe(true);
    }
    expect(res.status, show(res)).toBe(503);
    expect(res.body.error.code).toBe('overloaded');
    expect(res.headers.get('retry-after')).toBe('1');
    // Free again: the same request is answered.
    const again = await api('GET', '/api/me', { token: user.token });
    expect(again.status, show(again)).toBe(200);
  });
});
