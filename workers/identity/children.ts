import { z } from '@hono/zod-openapi';
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { children, type Child, type Language } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { queryRows } from '../lib/sql.ts';
import { removeReportFiles } from '../reports/reports.ts';
import { childConsent, childConsents } from '../consent/consent.ts';
import { ChildExportSchema, type ChildExport, type ChildView } from './schemas.ts';

const view = (c: Child): ChildView => ({
  id: c.id,
  name: c.name,
  birthYear: c.birthYear,
  language: c.language,
  createdAt: c.createdAt.toISOString(),
});

function assertParent(actor: Actor) {
  if (actor.role !== 'parent') throw new AppError('forbidden', 'Only parent accounts manage child profiles');
}

const Deleted = z.object({ deleted: z.boolean(), keys: z.array(z.string()) });
const Exported = z.object({ data: ChildExportSchema.omit({ exportedAt: true, consents: true }) });
/** Every query filters by the parent in SQL: another parent's child simply is not found. */
const owned = (actor: Actor, childId: string) => and(eq(children.id, childId), eq(children.parentId, actor.id));

export async function listChildren(ctx: Ctx, actor: Actor, q: { cursor?: string; limit: number }): Promise<Page<ChildView>> {
  assertParent(actor);
  let where = eq(children.parentId, actor.id);
  if (q.cursor) {
    const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
    where = and(where, or(lt(children.createdAt, new Date(at)), and(eq(children.createdAt, new Date(at)), lt(children.id, id))))!;
  }
  const rows = await ctx.services.db.db
    .select()
    .from(children)
    .where(where)
    .orderBy(desc(children.createdAt), desc(children.id))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.createdAt.toISOString(), r.id], ctx.config.JWT_SECRET);
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

export async function createChild(
  ctx: Ctx,
  actor: Actor,
  input: { name: string; birthYear: number; language: Language; consent?: { version: string } },
): Promise<ChildView> {
  assertParent(actor);
  const { db } = ctx.services.db;
  const id = crypto.randomUUID();
  // The parent's consent to process the child's data is recorded with the child, or neither.
  const [[row]] = await db.batch([
    db
      .insert(children)
      .values({ id, parentId: actor.id, name: input.name.trim(), birthYear: input.birthYear, language: input.language })
      .returning(),
    ...(input.consent ? [childConsent(db, actor.id, id, input.consent.version, ctx.services.now())] : []),
  ]);
  return view(row!);
}

export async function getChild(ctx: Ctx, actor: Actor, childId: string): Promise<ChildView> {
  if (!isId(childId)) throw notFound('Child');
  const [row] = await ctx.services.db.db.select().from(children).where(owned(actor, childId)).limit(1);
  if (!row) throw notFound('Child');
  return view(row);
}

export async function updateChild(
  ctx: Ctx,
  actor: Actor,
  childId: string,
  patch: Partial<{ name: string; birthYear: number; language: Language }>,
): Promise<ChildView> {
  if (!isId(childId)) throw notFound('Child');
  const set = { ...patch, ...(patch.name !== undefined ? { name: patch.name.trim() } : {}) };
  if (!Object.keys(set).length) return getChild(ctx, actor, childId);
  const [row] = await ctx.services.db.db.update(children).set(set).where(owned(actor, childId)).returning();
  if (!row) throw notFound('Child');
  return view(row);
}

/**
 * Deletes the profile; attempts, answers, results and reports about the child cascade with it,
 * and the report PDFs are removed from storage. One statement: the keys are read from the
 * same snapshot the cascade deletes.
 */
export async function deleteChild(ctx: Ctx, actor: Actor, childId: string): Promise<void> {
  if (!isId(childId)) throw notFound('Child');
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with gone as (delete from children where id = ${childId}::uuid and parent_id = ${actor.id}::uuid returning id)
        select exists (select 1 from gone) as deleted,
               array(select p.storage_key from reports p join results r on r.id = p.result_id
                     where r.child_id = ${childId}::uuid and p.user_id = ${actor.id}::uuid) as keys`,
    Deleted,
  );
  if (!row?.deleted) throw notFound('Child');
  await removeReportFiles(ctx, row.keys);
}

/**
 * GET /api/me/children/:id/export — everything stored about a child, for their parent only:
 * the profile, every attempt with its saved answers, the results and the reports' status.
 * One statement (JSON built in Postgres).
 */
export async function exportChild(ctx: Ctx, actor: Actor, childId: string): Promise<ChildExport> {
  if (!isId(childId)) throw notFound('Child');
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`select json_build_object(
          'child', json_build_object('id', c.id, 'name', c.name, 'birthYear', c.birth_year, 'language', c.language,
                                     'createdAt', to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
          'attempts', coalesce((
            select json_agg(json_build_object(
                     'id', a.id, 'testId', a.test_id, 'testTitle', v.document -> 'title', 'version', a.version, 'status', a.status,
                     'startedAt', a.started_at, 'deadlineAt', a.deadline_at, 'submittedAt', a.submitted_at, 'autoSubmitted', a.auto_submitted,
                     'answers', coalesce((
                       select json_agg(json_build_object('questionKey', aa.question_key, 'answer', aa.answer, 'savedAt', aa.updated_at) order by aa.question_key)
                       from attempt_answers aa where aa.attempt_id = a.id), '[]'::json))
                   order by a.started_at desc)
            from attempts a join test_versions v on v.id = a.version_id
            where a.child_id = c.id), '[]'::json),
          'results', coalesce((
            select json_agg(json_build_object(
                     'id', r.id, 'attemptId', r.attempt_id, 'testId', r.test_id, 'kind', r.kind, 'version', r.version, 'scales', r.scales,
                     'score', r.score, 'correct', r.correct, 'total', r.total, 'passed', r.passed, 'submittedAt', r.submitted_at)
                   order by r.submitted_at desc)
            from results r where r.child_id = c.id), '[]'::json),
          'reports', coalesce((
            select json_agg(json_build_object('id', p.id, 'resultId', p.result_id, 'status', p.status, 'createdAt', p.created_at, 'readyAt', p.ready_at)
                   order by p.created_at desc)
            from reports p join results r on r.id = p.result_id
            where r.child_id = c.id and p.user_id = c.parent_id), '[]'::json)
        ) as data
        from children c where c.id = ${childId}::uuid and c.parent_id = ${actor.id}::uuid`,
    Exported,
  );
  if (!row) throw notFound('Child');
  return { exportedAt: ctx.services.now().toISOString(), ...row.data, consents: await childConsents(ctx, actor.id, childId) };
}
