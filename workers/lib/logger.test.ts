import { env } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, createRouter, ctxOf } from '../app.ts';
import { errorFields, redactMessage } from './logger.ts';

/** SQL parameters (a user id, a child's name) never reach the log, whatever failed. */
const USER_ID = '5f1c8a2e-3b7d-4c9e-8f00-123456789abc';
const CHILD = 'Әлихан Құрманғали';

afterEach(() => vi.restoreAllMocks());

describe('errorFields — what a failed query leaves in the log', () => {
  it('keeps the statement shape and the SQLSTATE, drops the parameters and the values Postgres quotes', () => {
    const cause = Object.assign(new Error(`invalid input syntax for type uuid: "${CHILD}"`), {
      name: 'NeonDbError',
      code: '22P02',
      detail: `Key (name)=(${CHILD}) already exists.`,
      where: `unnamed portal parameter $2 = '${USER_ID}'`,
    });
    const err = new DrizzleQueryError('update "children" set "name" = $1 where "children"."id" = $2', [CHILD, USER_ID], cause);
    const line = JSON.stringify(errorFields(err));
    expect(line).not.toContain(CHILD);
    expect(line).not.toContain(USER_ID);
    expect(line).toContain('update \\"children\\" set \\"name\\" = $1');
    expect(line).toContain('22P02');
    expect(line).toContain('"paramCount":2');
  });

  it('redacts quoted values and key values in any driver message', () => {
    expect(redactMessage(`duplicate key value violates unique constraint "users_email_key"`)).toContain('users_email_key');
    expect(redactMessage(`Key (email)=(a@b.test) already exists.`)).toBe('Key (email)=([redacted]) already exists.');
    expect(redactMessage(`Failed query: select $1\nparams: ${USER_ID}`)).toBe('Failed query: select $1');
  });
});

describe('a real failed query through the app', () => {
  it('logs the request id and the statement, not the values', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const router = createRouter();
    router.get('/log-probe', async (c) => {
      // A value Postgres cannot cast: it quotes it back in its message.
      await ctxOf(c).services.db.db.execute(sql`select ${CHILD}::uuid, ${USER_ID}::uuid`);
      return c.json({});
    });
    const app = createApp({ routers: [router] });
    const res = await app.request('/api/log-probe', {}, env);
    expect(res.status).toBe(500);
    const failure = lines.find((l) => l.includes('unhandled error'));
    expect(failure, lines.join('\n')).toBeDefined();
    expect(failure).toContain('::uuid');
    expect(failure).not.toContain(CHILD);
    expect(failure).not.toContain(USER_ID);
    expect(failure).toContain('22P02');
  });
});
