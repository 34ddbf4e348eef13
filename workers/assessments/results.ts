import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import { children, results, testVersions, type LocalizedText, type Result } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { notFound } from '../lib/errors.ts';
import { decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import type { ResultView } from './schemas.ts';

export type { ResultView };

export function resultView(r: Result, title: LocalizedText): ResultView {
  const view: ResultView = {
    id: r.id,
    attemptId: r.attemptId,
    testId: r.testId,
    version: r.version,
    kind: r.kind,
    title,
    childId: r.childId,
    scales: r.scales,
    submittedAt: r.submittedAt.toISOString(),
    autoSubmitted: r.autoSubmitted,
    createdAt: r.createdAt.toISOString(),
  };
  if (r.score !== null) view.score = r.score;
  if (r.correct !== null) view.correct = r.correct;
  if (r.total !== null) view.total = r.total;
  if (r.passed !== null) view.passed = r.passed;
  return view;
}

const title = sql<LocalizedText>`${testVersions.document}->'title'`;

export async function getResult(ctx: Ctx, actor: Actor, resultId: string): Promise<ResultView> {
  if (!isId(resultId)) throw notFound('Result');
  const [row] = await ctx.services.db.db
    .select({ result: results, title })
    .from(results)
    .innerJoin(testVersions, eq(testVersions.id, results.versionId))
    .where(and(eq(results.id, resultId), eq(results.userId, actor.id)))
    .limit(1);
  if (!row) throw notFound('Result');
  return resultView(row.result, row.title);
}

/**
 * Results history, newest first: every result the account owns (its own and its children's),
 * or one child's with `childId` (a child that is not yours is 404).
 */
export async function listMyResults(
  ctx: Ctx,
  actor: Actor,
  q: { childId?: string; cursor?: string; limit: number },
): Promise<Page<ResultView>> {
  const db = ctx.services.db.db;
  let where: SQL = eq(results.userId, actor.id);
  if (q.childId !== undefined) {
    if (!isId(q.childId)) throw notFound('Child');
    const [child] = await db
      .select({ id: children.id })
      .from(children)
      .where(and(eq(children.id, q.childId), eq(children.parentId, actor.id)))
      .limit(1);
    if (!child) throw notFound('Child');
    where = and(where, eq(results.childId, q.childId))!;
  }
  if (q.cursor) {
    const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
    where = and(where, or(lt(results.createdAt, new Date(at)), and(eq(results.createdAt, new Date(at)), lt(results.id, id))))!;
  }
  const rows = await db
    .select({ result: results, title })
    .from(results)
    .innerJoin(testVersions, eq(testVersions.id, results.versionId))
    .where(where)
    .orderBy(desc(results.createdAt), desc(results.id))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.result.createdAt.toISOString(), r.result.id], ctx.config.JWT_SECRET);
  return { items: page.items.map((r) => resultView(r.result, r.title)), nextCursor: page.nextCursor };
}
