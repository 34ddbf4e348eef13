import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { HttpDb } from '../../db/client.ts';
import { col, queryRows } from './sql.ts';

/** A database answering one statement with the given raw rows (as the driver returns them). */
const answering = (rows: Record<string, unknown>[]) => ({ execute: async () => ({ rows }) }) as unknown as HttpDb;

describe('queryRows with a row schema', () => {
  const Row = z.object({ found: z.boolean(), avg: col.num, at: col.ts.nullable() });

  it('returns the rows as the schema reads them: numeric strings become numbers, extra columns are dropped', async () => {
    const rows = await queryRows(answering([{ found: true, avg: '4.50', at: '2026-01-02T03:04:05Z', counted: '1' }]), sql`select 1`, Row);
    expect(rows).toEqual([{ found: true, avg: 4.5, at: '2026-01-02T03:04:05Z' }]);
  });

  it('refuses a row whose column is missing or of another type, naming the column', async () => {
    await expect(queryRows(answering([{ found: 'yes', avg: 1, at: null }]), sql`select 1`, Row)).rejects.toThrow(/found/);
    await expect(queryRows(answering([{ avg: 1, at: null }]), sql`select 1`, Row)).rejects.toThrow(/found/);
  });
});

describe('queryRows without a row schema', () => {
  it('does not type-check: the unchecked cast is gone (trustedRows is the one documented cast)', () => {
    // @ts-expect-error the row schema is required; tsc fails here if an unchecked overload comes back
    const unchecked = () => queryRows(answering([]), sql`select 1`);
    expect(unchecked).toBeTypeOf('function');
  });
});
