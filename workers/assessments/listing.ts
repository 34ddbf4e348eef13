import { and, desc, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import { tests, testVersions, type LocalizedText, type TestKind } from '../../db/schema/index.ts';
import { pick, type Lang } from '../catalog/localize.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { assertAuthor } from './authoring.ts';
import type { PublishedTestItem, TeacherTestItem } from './schemas.ts';

export type { PublishedTestItem, TeacherTestItem };

/**
 * Lists of tests: the author's own (drafts included) for the studio, and the public list of
 * published tests that learners and parents pick from. Both are keyset-paginated with signed
 * cursors, newest first; ownership and "published only" are conditions in SQL.
 */

/** [timestamp, id] of the last row of the previous page. */
async function cursorKey(ctx: Ctx, cursor: string | undefined): Promise<[string, string] | null> {
  if (!cursor) return null;
  const [at, id] = await decodeTimeIdCursor(cursor, ctx.config.JWT_SECRET);
  return [at, id];
}

const questionCount = sql<number>`jsonb_array_length(${testVersions.document}->'questions')::int`;
/** A timestamp at full (microsecond) precision for the cursor: rows written with SQL now() must not be skipped. */
const exact = (column: typeof tests.createdAt | typeof tests.publishedAt) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const docTitle = sql<LocalizedText>`${testVersions.document}->'title'`;

/** GET /api/teacher/tests — the author's tests (an admin: everyone's), newest created first. */
export async function listTeacherTests(
  ctx: Ctx,
  actor: Actor,
  q: { kind?: TestKind; cursor?: string; limit: number },
): Promise<Page<TeacherTestItem>> {
  await assertAuthor(ctx, actor);
  const conditions: (SQL | undefined)[] = [
    actor.role === 'admin' ? undefined : eq(tests.authorId, actor.id),
    q.kind ? eq(tests.kind, q.kind) : undefined,
  ];
  const after = await cursorKey(ctx, q.cursor);
  if (after) conditions.push(sql`(${tests.createdAt}, ${tests.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  // The primary, not the replica: a test the author has just created must be in the list.
  const rows = await ctx.services.db.db
    .select({
      id: tests.id,
      kind: tests.kind,
      courseId: tests.courseId,
      title: docTitle,
      status: testVersions.status,
      version: testVersions.version,
      publishedVersion: tests.publishedVersion,
      questionCount,
      createdAt: tests.createdAt,
      updatedAt: tests.updatedAt,
      publishedAt: tests.publishedAt,
      key: exact(tests.createdAt),
    })
    .from(tests)
    .innerJoin(testVersions, and(eq(testVersions.testId, tests.id), eq(testVersions.version, tests.latestVersion)))
    .where(and(...conditions))
    .orderBy(desc(tests.createdAt), desc(tests.id))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.key, r.id], ctx.config.JWT_SECRET);
  return {
    items: page.items.map(({ key: _key, ...r }) => ({
      ...r,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      publishedAt: r.publishedAt?.toISOString() ?? null,
    })),
    nextCursor: page.nextCursor,
  };
}

/** GET /api/tests — published tests, most recently published first; anyone may list them. */
export async function listPublishedTests(
  ctx: Ctx,
  q: { lang: Lang; kind?: TestKind; courseId?: string; cursor?: string; limit: number },
): Promise<Page<PublishedTestItem>> {
  if (q.courseId !== undefined && !isId(q.courseId)) return { items: [], nextCursor: null };
  const conditions: (SQL | undefined)[] = [
    isNotNull(tests.publishedVersion),
    q.kind ? eq(tests.kind, q.kind) : undefined,
    q.courseId ? eq(tests.courseId, q.courseId) : undefined,
  ];
  const after = await cursorKey(ctx, q.cursor);
  if (after) conditions.push(sql`(${tests.publishedAt}, ${tests.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
  const rows = await ctx.services.db.read
    .select({
      id: tests.id,
      kind: tests.kind,
      courseId: tests.courseId,
      title: docTitle,
      description: sql<LocalizedText | null>`${testVersions.document}->'description'`,
      timeLimitSec: sql<number | null>`(${testVersions.document}->>'timeLimitSec')::int`,
      version: testVersions.version,
      questionCount,
      publishedAt: tests.publishedAt,
      key: exact(tests.publishedAt),
    })
    .from(tests)
    // Only the published version: a newer draft stays invisible until it is published.
    .innerJoin(testVersions, and(eq(testVersions.testId, tests.id), eq(testVersions.version, tests.publishedVersion)))
    .where(and(...conditions))
    .orderBy(desc(tests.publishedAt), desc(tests.id))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.key, r.id], ctx.config.JWT_SECRET);
  return {
    items: page.items.map((r) => {
      const title = pick(r.title, q.lang);
      // The description in the title's language when it has one, else its own fallback.
      const description = r.description ? pick(r.description, title.lang) : null;
      return {
        id: r.id,
        kind: r.kind,
        courseId: r.courseId,
        title: title.value,
        titleLang: title.lang,
        description: description?.value || null,
        descriptionLang: description?.value ? description.lang : null,
        version: r.version,
        questionCount: r.questionCount,
        timeLimitSec: r.timeLimitSec,
        publishedAt: new Date(r.publishedAt!).toISOString(),
      };
    }),
    nextCursor: page.nextCursor,
  };
}
