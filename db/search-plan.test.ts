/**
 * Cold search corrects typos through the dictionary of title words (its trigram index), then
 * matches courses through the full-text GIN indexes only: no trigram scan or per-row similarity
 * over the course rows, whose cost grew with the catalog (83 ms median at 100,000 courses) —
 * and ranks a bounded set, never every match of a common word.
 * Tests are matched on their own partial GIN index, suggestions complete words on the
 * dictionary's prefix index, and each catalog order reads its own index. The statements are
 * the ones the operations really send (captured from Drizzle).
 */
import { neon } from '@neondatabase/serverless';
import { describe, expect, it } from 'vitest';
import { createTest, publish, quizDoc } from '../tests/support/assessments.ts';
import { createCourse } from '../tests/support/catalog.ts';
import { testCtx } from '../tests/support/ctx.ts';
import { testDb, vars, verifiedTeacher } from '../tests/support/users.ts';
import { listCourses } from '../workers/catalog/browse.ts';
import { gens } from '../workers/catalog/invalidation.ts';
import { COUNT_CAP, RANK_CAP, searchCatalog } from '../workers/catalog/search.ts';
import { sql } from 'drizzle-orm';
import { courses } from './schema/index.ts';
import { suggest } from '../workers/catalog/suggest.ts';

interface PlanNode {
  'Node Type': string;
  'Actual Rows'?: number;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const walk = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(walk)];

/** The plan's nodes as the planner would choose on a big catalog: an index wherever one applies. */
async function planOf(statement: { sql: string; params: unknown[] }): Promise<PlanNode[]> {
  testDb(); // points the driver at the local endpoints
  const client = neon(vars.DATABASE_URL!);
  const [, rows] = await client.transaction([
    client.query('set local enable_seqscan = off'),
    client.query(`explain (format json) ${statement.sql}`, statement.params as never[]),
  ]);
  return walk((rows as { 'QUERY PLAN': { Plan: PlanNode }[] }[])[0]!['QUERY PLAN'][0]!.Plan);
}
/** The same, executed (EXPLAIN ANALYZE): how many rows each node really returned. */
async function analyzed(statement: { sql: string; params: unknown[] }): Promise<PlanNode[]> {
  testDb();
  const client = neon(vars.DATABASE_URL!);
  const [rows] = await client.transaction([client.query(`explain (analyze, format json) ${statement.sql}`, statement.params as never[])]);
  return walk((rows as { 'QUERY PLAN': { Plan: PlanNode }[] }[])[0]!['QUERY PLAN'][0]!.Plan);
}
const indexes = (nodes: PlanNode[]) => nodes.map((n) => n['Index Name']).filter(Boolean);
const seqScans = (nodes: PlanNode[]) => nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']);

function capture() {
  const sent: { sql: string; params: unknown[] }[] = [];
  const ctx = testCtx({ onQuery: (sql, params) => sent.push({ sql, params }) });
  return { sent, ctx };
}

describe('search plan', () => {
  it('corrects words on the dictionary index and matches courses and tests on their full-text indexes only', async () => {
    const t = await verifiedTeacher();
    const uniq = Math.random().toString(36).slice(2, 10);
    await createCourse(t, { title: { ru: `Математика для начинающих ${uniq}` }, tags: [uniq] });
    const { sent, ctx } = capture();
    await ctx.services.cache.bump(gens.catalog); // a miss, so the statements are sent
    const page = await searchCatalog(ctx, { q: 'матемтика', lang: 'ru', limit: 20, tag: uniq });
    expect(page.items).toHaveLength(1);
    const courseStmt = sent.find((s) => /ts_rank\("courses"/.test(s.sql))!;
    const testStmt = sent.find((s) => /from "tests"/.test(s.sql) && /ts_rank/.test(s.sql))!;
    expect(courseStmt && testStmt, sent.map((s) => s.sql).join('\n\n')).toBeTruthy();

    // The words are corrected on the dictionary's index, in a statement of their own; its
    // result is a constant of the course statement, which reads the full-text indexes only.
    const wordsStmt = sent.find((s) => /::text as q/.test(s.sql))!;
    expect(indexes(await planOf(wordsStmt)), wordsStmt.sql).toContain('search_words_trgm_idx');
    const coursePlan = await planOf(courseStmt);
    const courseIdx = indexes(coursePlan);
    // (With a tag this rare the planner starts from the tags index: any index but a trigram one, never a scan.)
    expect(courseIdx, courseStmt.sql).not.toContain('courses_search_title_trgm_idx');
    expect(seqScans(coursePlan), courseStmt.sql).toEqual([]);
    expect(courseStmt.sql).not.toMatch(/word_similarity|%>/);

    // Without a course-only filter the test branch runs: on the partial GIN index of published versions.
    const { sent: sent2, ctx: ctx2 } = capture();
    await ctx2.services.cache.bump(gens.catalog);
    await searchCatalog(ctx2, { q: 'матемтика', lang: 'ru', limit: 20 });
    const tests2 = sent2.find((s) => /from "tests"/.test(s.sql) && /ts_rank/.test(s.sql))!;
    const testPlan = await planOf(tests2);
    expect(indexes(testPlan), tests2.sql).toEqual(expect.arrayContaining(['test_versions_search_title_idx', 'test_versions_search_idx']));
    expect(seqScans(testPlan), tests2.sql).toEqual([]);
  });

  it('relevance ranks at most RANK_CAP matches however many match, reading title matches from their own index', async () => {
    const t = await verifiedTeacher();
    const w = `w${Math.random().toString(36).slice(2, 10)}`;
    await testDb().db.execute(sql`insert into ${courses} (teacher_id, title, language, published, published_at)
      select ${t.id}::uuid, jsonb_build_object('en', ${w} || ' ' || g), 'en', true, now() from generate_series(1, ${RANK_CAP + 200}) g`);
    try {
      const { sent, ctx } = capture();
      await ctx.services.cache.bump(gens.catalog);
      const page = await searchCatalog(ctx, { q: w, lang: 'en', limit: 20 });
      expect(page.total).toEqual({ count: COUNT_CAP, capped: true });
      const courseStmt = sent.find((s) => /ts_rank\("courses"/.test(s.sql))!;
      const nodes = await analyzed(courseStmt);
      // Every scan of the courses stops at the cap: no node ranks or sorts every match
      // (before: a bitmap scan returned all RANK_CAP + 200 to be ranked and sorted).
      const scans = nodes.filter((n) => n['Relation Name'] === 'courses' && n['Node Type'] !== 'Index Scan');
      expect(scans.length, courseStmt.sql).toBeGreaterThan(0);
      for (const n of scans) expect(n['Actual Rows'], `${n['Node Type']} ${courseStmt.sql}`).toBeLessThanOrEqual(RANK_CAP);
      expect(indexes(nodes), courseStmt.sql).toContain('courses_search_title_idx');
      const sorted = nodes.filter((n) => n['Node Type'] === 'Sort');
      for (const n of sorted) expect(n['Actual Rows']).toBeLessThanOrEqual(21);
    } finally {
      await testDb().db.execute(sql`delete from ${courses} where teacher_id = ${t.id}::uuid`);
    }
  });

  it('a typed word no course title word begins like or is near reads no course at all', async () => {
    const { sent, ctx } = capture();
    await ctx.services.cache.bump(gens.catalog);
    await suggest(ctx, { q: 'жщъэ', lang: 'ru' });
    // Before: the "most enrolled first" index walk read the whole catalog looking for a match.
    expect(sent.some((st) => /::text as q/.test(st.sql))).toBe(true);
    expect(
      sent.filter((st) => /from "courses"/.test(st.sql)),
      sent.map((st) => st.sql).join('\n\n'),
    ).toEqual([]);
  });

  it('suggestions complete the typed word on the dictionary prefix index and match on the GIN indexes', async () => {
    const t = await verifiedTeacher();
    const test = await createTest(t, quizDoc({ title: { ru: 'Геометрия, проверка' } }));
    await publish(t, test.id);
    const { sent, ctx } = capture();
    await ctx.services.cache.bump(gens.catalog);
    await suggest(ctx, { q: 'основы геомет', lang: 'ru' });
    // First the tsquery, as a value, from the dictionary's indexes; then courses and tests with it as a constant.
    const wordsStmt = sent.find((st) => /::text as q/.test(st.sql))!;
    const [courseStmt, testStmt] = sent.slice(-2) as [{ sql: string; params: unknown[] }, { sql: string; params: unknown[] }];
    const wordsPlan = await planOf(wordsStmt);
    expect(indexes(wordsPlan), wordsStmt.sql).toEqual(expect.arrayContaining(['search_words_prefix_idx', 'search_words_trgm_idx']));
    const coursePlan = await planOf(courseStmt);
    expect(seqScans(coursePlan), courseStmt.sql).toEqual([]);
    // With the tsquery a constant the planner weighs how many rows it matches: an index either
    // way (the full-text one when few match, the ordered one when many do), never a scan.
    const testPlan = await planOf(testStmt);
    expect(seqScans(testPlan), testStmt.sql).toEqual([]);
  });

  it.each([
    ['rating', 'courses_rating_idx'],
    ['popularity', 'courses_popularity_idx'],
    ['newest', 'courses_published_created_idx'],
  ] as const)('the catalog sorted by %s reads %s in order (no sort of the catalog)', async (sort, index) => {
    const { sent, ctx } = capture();
    await ctx.services.cache.bump(gens.catalog);
    await listCourses(ctx, { lang: 'ru', limit: 20, sort });
    const nodes = await planOf(sent.at(-1)!);
    expect(indexes(nodes), sent.at(-1)!.sql).toContain(index);
    expect(
      nodes.some((n) => n['Node Type'] === 'Sort'),
      sent.at(-1)!.sql,
    ).toBe(false);
  });
});
