/**
 * Cold search corrects typos through the dictionary of title words (its trigram index), then
 * matches courses through the full-text GIN index only: no trigram scan or per-row similarity
 * over the course rows, whose cost grew with the catalog (83 ms median at 100,000 courses).
 * The statement is the one searchCatalog really sends (captured from Drizzle).
 */
import { neon } from '@neondatabase/serverless';
import { describe, expect, it } from 'vitest';
import { createCourse } from '../tests/support/catalog.ts';
import { testCtx } from '../tests/support/ctx.ts';
import { testDb, vars, verifiedTeacher } from '../tests/support/users.ts';
import { gens } from '../workers/catalog/invalidation.ts';
import { searchCatalog } from '../workers/catalog/search.ts';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const walk = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(walk)];

describe('search plan', () => {
  it('corrects words on the dictionary index and matches courses on the full-text index only', async () => {
    const t = await verifiedTeacher();
    const uniq = Math.random().toString(36).slice(2, 10);
    await createCourse(t, { title: { ru: `Математика для начинающих ${uniq}` }, tags: [uniq] });
    const sent: { sql: string; params: unknown[] }[] = [];
    const ctx = testCtx({ onQuery: (sql, params) => sent.push({ sql, params }) });
    await ctx.services.cache.bump(gens.catalog); // a miss, so the statement is sent
    const page = await searchCatalog(ctx, { q: 'матемтика', lang: 'ru', limit: 20, tag: uniq });
    expect(page.items).toHaveLength(1);
    const last = sent.at(-1)!;
    testDb(); // points the driver at the local endpoints
    const client = neon(vars.DATABASE_URL!);
    const [, rows] = await client.transaction([
      // As on a big catalog: an index wherever one applies.
      client.query('set local enable_seqscan = off'),
      client.query(`explain (format json) ${last.sql}`, last.params as never[]),
    ]);
    const plan = (rows as { 'QUERY PLAN': { Plan: PlanNode }[] }[])[0]!['QUERY PLAN'][0]!.Plan;
    const indexes = walk(plan)
      .map((n) => n['Index Name'])
      .filter(Boolean);
    expect(indexes, last.sql).toContain('search_words_trgm_idx');
    expect(indexes, last.sql).not.toContain('courses_search_title_trgm_idx');
    expect(last.sql).not.toMatch(/word_similarity|%>/);
  });
});
