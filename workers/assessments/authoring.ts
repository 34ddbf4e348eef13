import { gens } from '../catalog/invalidation.ts';
import { and, eq, sql } from 'drizzle-orm';
import type { ZodError } from 'zod';
import { courses, tests, testVersions, users, type Test, type TestDocument, type TestVersion } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { forbidden, notFound, validationError } from '../lib/errors.ts';
import { parseDocument, takerQuestion } from './document.ts';
import type { AuthorTestView, TakerTestView } from './schemas.ts';
import { assertEmailVerified } from '../identity/recovery.ts';

/**
 * Authoring of tests: a verified teacher (checked in the database, not the token) or an admin.
 * Someone else's test is 404. Versions: the latest version is edited in place while it is a
 * draft; editing a published version writes a new draft (version + 1), so published versions
 * never change and attempts keep pointing at the version they started on.
 */

export type { AuthorTestView, TakerTestView };

export function issuesToFields(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const i of error.issues) fields[i.path.length ? i.path.join('.') : '_'] ??= i.message;
  return fields;
}

/** A verified teacher (checked in the database) or an admin. */
export async function assertAuthor(ctx: Ctx, actor: Actor): Promise<void> {
  if (actor.role === 'admin') return;
  if (actor.role !== 'teacher') throw forbidden('Only teachers author tests');
  const [u] = await ctx.services.db.db.select({ status: users.teacherStatus }).from(users).where(eq(users.id, actor.id)).limit(1);
  if (u?.status !== 'verified') throw forbidden('Your teacher account is not verified yet');
}

function validDocument(input: unknown): TestDocument {
  const parsed = parseDocument(input);
  if (!parsed.ok) throw validationError(issuesToFields(parsed.error), 'The test document is invalid');
  return parsed.doc;
}

/** A quiz may belong to a course of the author's (any course for an admin). */
async function checkCourse(ctx: Ctx, actor: Actor, courseId: string | null): Promise<void> {
  if (!courseId) return;
  const where = actor.role === 'admin' ? eq(courses.id, courseId) : and(eq(courses.id, courseId), eq(courses.teacherId, actor.id));
  const [c] = await ctx.services.db.db.select({ id: courses.id }).from(courses).where(where).limit(1);
  if (!c) throw validationError({ courseId: 'No such course of yours' });
}

const authorView = (t: Test, v: TestVersion): AuthorTestView => ({
  ...v.document,
  id: t.id,
  authorId: t.authorId,
  version: v.version,
  status: v.status,
  publishedVersion: t.publishedVersion,
  createdAt: t.createdAt.toISOString(),
  updatedAt: v.updatedAt.toISOString(),
});

export function takerView(testId: string, version: number, doc: TestDocument): TakerTestView {
  const view: TakerTestView = {
    id: testId,
    kind: doc.kind,
    courseId: doc.courseId,
    title: doc.title,
    timeLimitSec: doc.timeLimitSec,
    version,
    questions: doc.questions.map(takerQuestion),
  };
  if (doc.description) view.description = doc.description;
  return view;
}

const ownedBy = (actor: Actor, testId: string) =>
  actor.role === 'admin' ? eq(tests.id, testId) : and(eq(tests.id, testId), eq(tests.authorId, actor.id));

export async function createTest(ctx: Ctx, actor: Actor, input: unknown): Promise<AuthorTestView> {
  await assertAuthor(ctx, actor);
  const doc = validDocument(input);
  await checkCourse(ctx, actor, doc.courseId);
  const id = crypto.randomUUID();
  const now = ctx.services.now();
  // One batch = one transaction: the test and its first version exist together or not at all.
  const [[t], [v]] = await ctx.services.db.db.batch([
    ctx.services.db.db
      .insert(tests)
      .values({ id, authorId: actor.id, kind: doc.kind, courseId: doc.courseId, latestVersion: 1, createdAt: now, updatedAt: now })
      .returning(),
    ctx.services.db.db
      .insert(testVersions)
      .values({ testId: id, version: 1, status: 'draft', document: doc, createdAt: now, updatedAt: now })
      .returning(),
  ]);
  return authorView(t!, v!);
}

/** Merges the given top-level fields over the latest document and validates the whole. */
export async function updateTest(ctx: Ctx, actor: Actor, testId: string, patch: Record<string, unknown>): Promise<AuthorTestView> {
  await assertAuthor(ctx, actor);
  if (!isId(testId)) throw notFound('Test');
  return ctx.services.db.transaction(async (tx) => {
    // The row lock serializes edits and publishes of one test.
    const [t] = await tx.select().from(tests).where(ownedBy(actor, testId)).for('update').limit(1);
    if (!t) throw notFound('Test');
    const [latest] = await tx
      .select()
      .from(testVersions)
      .where(and(eq(testVersions.testId, t.id), eq(testVersions.version, t.latestVersion)))
      .limit(1);
    if (!latest) throw notFound('Test');
    if (patch.kind !== undefined && patch.kind !== t.kind)
      throw validationError({ kind: 'The kind of a test cannot change; create a new test' });
    const merged: Record<string, unknown> = { ...latest.document, ...patch };
    // Absent fields keep their value in a PATCH, so `description: null` is how to remove it.
    if (merged.description === null) delete merged.description;
    const doc = validDocument(merged);
    if (doc.courseId !== t.courseId) await checkCourse(ctx, actor, doc.courseId);
    const now = ctx.services.now();
    let version: TestVersion;
    if (latest.status === 'draft') {
      [version] = (await tx
        .update(testVersions)
        .set({ document: doc, updatedAt: now })
        .where(eq(testVersions.id, latest.id))
        .returning()) as [TestVersion];
    } else {
      [version] = (await tx
        .insert(testVersions)
        .values({ testId: t.id, version: t.latestVersion + 1, status: 'draft', document: doc, createdAt: now, updatedAt: now })
        .returning()) as [TestVersion];
    }
    const [updated] = await tx
      .update(tests)
      .set({ latestVersion: version.version, courseId: doc.courseId, updatedAt: now })
      .where(eq(tests.id, t.id))
      .returning();
    return authorView(updated!, version);
  });
}

/** Freezes the draft as the version new attempts start on. Publishing with no draft is a no-op. */
export async function publishTest(ctx: Ctx, actor: Actor, testId: string): Promise<AuthorTestView> {
  await assertAuthor(ctx, actor);
  if (!isId(testId)) throw notFound('Test');
  await assertEmailVerified(ctx, actor.id);
  const view = await ctx.services.db.transaction(async (tx) => {
    const [t] = await tx.select().from(tests).where(ownedBy(actor, testId)).for('update').limit(1);
    if (!t) throw notFound('Test');
    const [latest] = await tx
      .select()
      .from(testVersions)
      .where(and(eq(testVersions.testId, t.id), eq(testVersions.version, t.latestVersion)))
      .limit(1);
    if (!latest) throw notFound('Test');
    if (latest.status === 'published') return authorView(t, latest);
    // Stored drafts were valid when written; check again in case the rules got stricter.
    validDocument(latest.document);
    const now = ctx.services.now();
    const [v] = await tx
      .update(testVersions)
      .set({ status: 'published', publishedAt: now, updatedAt: now })
      .where(eq(testVersions.id, latest.id))
      .returning();
    const [updated] = await tx
      .update(tests)
      .set({ publishedVersion: latest.version, publishedAt: now, updatedAt: now })
      .where(eq(tests.id, t.id))
      .returning();
    return authorView(updated!, v!);
  });
  // Published tests are found by the catalog search: cached searches and suggestions must show it.
  await ctx.services.cache.bump(gens.catalog);
  return view;
}

/** The author (or an admin) gets the latest document; anyone else the published taker view. */
export async function getTest(ctx: Ctx, actor: Actor | undefined, testId: string): Promise<AuthorTestView | TakerTestView> {
  if (!isId(testId)) throw notFound('Test');
  const isAuthor = actor ? (actor.role === 'admin' ? sql`true` : sql`${tests.authorId} = ${actor.id}`) : sql`false`;
  const rows = await ctx.services.db.db
    .select({ test: tests, version: testVersions, isAuthor: sql<boolean>`${isAuthor}` })
    .from(tests)
    .innerJoin(
      testVersions,
      and(
        eq(testVersions.testId, tests.id),
        sql`${testVersions.version} = case when ${isAuthor} then ${tests.latestVersion} else ${tests.publishedVersion} end`,
      ),
    )
    .where(eq(tests.id, testId))
    .limit(1);
  const row = rows[0];
  if (!row) throw notFound('Test');
  if (row.isAuthor) return authorView(row.test, row.version);
  return takerView(row.test.id, row.version.version, row.version.document);
}
