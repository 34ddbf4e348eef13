import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import {
  attemptAnswers,
  attempts,
  children,
  results,
  tests,
  testVersions,
  type Answer,
  type Attempt,
  type Result,
  type TestDocument,
} from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { AppError, notFound, validationError } from '../lib/errors.ts';
import { checkAnswer, takerQuestion, type AnswerBody } from './document.ts';
import { resultView, type ResultView } from './results.ts';
import { scoreAttempt } from './scoring.ts';
import { errorFields } from '../lib/logger.ts';
import { stateIs } from '../lib/sql.ts';
import type { AttemptView } from './schemas.ts';

export type { AttemptView };
import { pulseAfterCommit } from '../dashboards/pulse.ts';

/**
 * Taking a test. Every query filters by the owning account (`attempts.user_id`): another
 * user's attempt is simply not found. Deadlines are the server's: an answer after the
 * deadline is refused, and an open attempt past its deadline is submitted with what was saved
 * — lazily by whichever request touches it first, and by the cron sweep.
 */

const expired = (a: Pick<Attempt, 'deadlineAt'>, now: Date) => a.deadlineAt !== null && a.deadlineAt.getTime() <= now.getTime();

function attemptView(a: Attempt, doc: TestDocument, answers: Record<string, Answer>, resultId: string | null, now: Date): AttemptView {
  return {
    id: a.id,
    testId: a.testId,
    version: a.version,
    kind: doc.kind,
    title: doc.title,
    childId: a.childId,
    status: a.status,
    startedAt: a.startedAt.toISOString(),
    deadlineAt: a.deadlineAt?.toISOString() ?? null,
    submittedAt: a.submittedAt?.toISOString() ?? null,
    autoSubmitted: a.autoSubmitted,
    serverTime: now.toISOString(),
    timeLimitSec: doc.timeLimitSec,
    questions: doc.questions.map(takerQuestion),
    answers,
    resultId,
  };
}

/** The attempt with its version's document, only if `ownerId` owns it. */
async function loadOwned(ctx: Ctx, ownerId: string, attemptId: string) {
  if (!isId(attemptId)) return undefined;
  const [row] = await ctx.services.db.db
    .select({ attempt: attempts, document: testVersions.document })
    .from(attempts)
    .innerJoin(testVersions, eq(testVersions.id, attempts.versionId))
    .where(and(eq(attempts.id, attemptId), eq(attempts.userId, ownerId)))
    .limit(1);
  return row;
}

export async function startAttempt(
  ctx: Ctx,
  actor: Actor,
  testId: string,
  input: { childId?: string | null },
): Promise<{ attempt: AttemptView; created: boolean }> {
  if (!isId(testId)) throw notFound('Test');
  const childId = input.childId ?? null;
  if (childId !== null && !isId(childId)) throw notFound('Child');
  const db = ctx.services.db.db;
  const [testRows, childRows] = await db.batch([
    db
      .select({ test: tests, versionId: testVersions.id, document: testVersions.document })
      .from(tests)
      .innerJoin(testVersions, and(eq(testVersions.testId, tests.id), eq(testVersions.version, tests.publishedVersion)))
      .where(eq(tests.id, testId))
      .limit(1),
    // Someone else's child does not exist for this parent.
    db
      .select({ id: children.id })
      .from(children)
      .where(and(eq(children.id, childId ?? '00000000-0000-0000-0000-000000000000'), eq(children.parentId, actor.id)))
      .limit(1),
  ]);
  const published = testRows[0];
  if (!published) throw notFound('Test');
  if (childId !== null && !childRows[0]) throw notFound('Child');

  const sameTaker = and(
    eq(attempts.testId, testId),
    eq(attempts.userId, actor.id),
    childId === null ? sql`${attempts.childId} is null` : eq(attempts.childId, childId),
    eq(attempts.status, 'open'),
  );
  // Resume the open attempt (a retried start must not open a second one) unless its time ran out.
  for (let round = 0; round < 3; round++) {
    const now = ctx.services.now();
    const [open] = await db.select().from(attempts).where(sameTaker).limit(1);
    if (open && !expired(open, now)) return { attempt: await getAttempt(ctx, actor, open.id), created: false };
    if (open) await finalizeAttempt(ctx, { attemptId: open.id, ownerId: actor.id, auto: true });
    const doc = published.document;
    const [row] = await db
      .insert(attempts)
      .values({
        testId,
        versionId: published.versionId,
        version: published.test.publishedVersion!,
        userId: actor.id,
        childId,
        status: 'open',
        startedAt: now,
        deadlineAt: doc.timeLimitSec ? new Date(now.getTime() + doc.timeLimitSec * 1000) : null,
      })
      // The partial unique index (one open attempt per test and taker) settles concurrent starts.
      .onConflictDoNothing()
      .returning();
    if (row) return { attempt: attemptView(row, doc, {}, null, now), created: true };
  }
  throw new AppError('conflict', 'The attempt is being started by another request; try again');
}

export async function getAttempt(ctx: Ctx, actor: Actor, attemptId: string): Promise<AttemptView> {
  let row = await loadOwned(ctx, actor.id, attemptId);
  if (!row) throw notFound('Attempt');
  if (row.attempt.status === 'open' && expired(row.attempt, ctx.services.now())) {
    await finalizeAttempt(ctx, { attemptId, ownerId: actor.id, auto: true });
    row = await loadOwned(ctx, actor.id, attemptId);
    if (!row) throw notFound('Attempt');
  }
  const db = ctx.services.db.db;
  const [answerRows, resultRows] = await db.batch([
    db
      .select({ key: attemptAnswers.questionKey, answer: attemptAnswers.answer })
      .from(attemptAnswers)
      .where(eq(attemptAnswers.attemptId, row.attempt.id))
      .orderBy(asc(attemptAnswers.questionKey)),
    db
      .select({ id: results.id })
      .from(results)
      .where(and(eq(results.attemptId, row.attempt.id), eq(results.userId, actor.id)))
      .limit(1),
  ]);
  const answers = Object.fromEntries(answerRows.map((a) => [a.key, a.answer]));
  return attemptView(row.attempt, row.document, answers, resultRows[0]?.id ?? null, ctx.services.now());
}

async function resultIdOf(ctx: Ctx, attemptId: string): Promise<string | null> {
  const [r] = await ctx.services.db.db.select({ id: results.id }).from(results).where(eq(results.attemptId, attemptId)).limit(1);
  return r?.id ?? null;
}

const submittedError = (resultId: string | null) =>
  new AppError('conflict', 'This attempt has been submitted; answers can no longer change', { reason: 'attempt_submitted', resultId });
const timeUpError = (resultId: string | null) =>
  new AppError('gone', 'The time limit of this attempt has passed; it was submitted with the answers saved before the deadline', {
    reason: 'time_expired',
    resultId,
  });

export interface SavedAnswer {
  questionKey: string;
  answer: Answer;
  savedAt: string;
}

/** Saves (upserts) one answer: the same answer twice is one row; a changed answer replaces it. */
export async function saveAnswer(ctx: Ctx, actor: Actor, attemptId: string, questionKey: string, body: AnswerBody): Promise<SavedAnswer> {
  const row = await loadOwned(ctx, actor.id, attemptId);
  if (!row) throw notFound('Attempt');
  const now = ctx.services.now();
  if (row.attempt.status === 'submitted') {
    // Closed by the deadline (lazily or by the sweep) reads as "time is up", not "you submitted".
    const resultId = await resultIdOf(ctx, attemptId);
    throw row.attempt.autoSubmitted ? timeUpError(resultId) : submittedError(resultId);
  }
  if (expired(row.attempt, now)) {
    const done = await finalizeAttempt(ctx, { attemptId, ownerId: actor.id, auto: true });
    throw timeUpError(done?.id ?? null);
  }
  const question = row.document.questions.find((q) => q.key === questionKey);
  if (!question) throw notFound('Question');
  const checked = checkAnswer(question, body);
  if (!checked.ok) throw validationError(checked.fields, 'The answer does not fit the question');

  // FOR SHARE on the attempt: a concurrent submit (FOR UPDATE) either waits for this answer to
  // commit and scores it, or commits first and this statement then finds the attempt closed.
  const saved = await ctx.services.db.db.execute<{ question_key: string }>(sql`
    with open_attempt as (
      select id from ${attempts}
      where id = ${attemptId} and user_id = ${actor.id} and ${stateIs(attempts.status, 'open')}
        and (deadline_at is null or deadline_at > ${now.toISOString()}::timestamptz)
      for share
    )
    insert into ${attemptAnswers} (attempt_id, question_key, answer, created_at, updated_at)
    select id, ${questionKey}, ${JSON.stringify(checked.answer)}::jsonb, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
    from open_attempt
    on conflict (attempt_id, question_key) do update set answer = excluded.answer, updated_at = excluded.updated_at
    returning question_key`);
  if (!saved.rows.length) {
    // Closed between the read above and the write: say why.
    const again = await loadOwned(ctx, actor.id, attemptId);
    if (again?.attempt.status === 'submitted' && !again.attempt.autoSubmitted) throw submittedError(await resultIdOf(ctx, attemptId));
    const done = await finalizeAttempt(ctx, { attemptId, ownerId: actor.id, auto: true });
    throw timeUpError(done?.id ?? null);
  }
  return { questionKey, answer: checked.answer, savedAt: now.toISOString() };
}

export async function submitAttempt(ctx: Ctx, actor: Actor, attemptId: string): Promise<ResultView> {
  if (!isId(attemptId)) throw notFound('Attempt');
  const result = await finalizeAttempt(ctx, { attemptId, ownerId: actor.id, auto: false });
  if (!result) throw notFound('Attempt');
  pulseAfterCommit(ctx, 'submission', { testId: result.testId });
  return result;
}

/**
 * Scores and closes an attempt in one transaction, exactly once: the attempt row is locked,
 * an already submitted attempt returns its existing result, and results.attempt_id is unique.
 * `auto`: only when the deadline has passed (the sweep and lazy paths); answers saved before
 * the deadline count, and the submit time is the deadline.
 */
export async function finalizeAttempt(ctx: Ctx, opts: { attemptId: string; ownerId?: string; auto: boolean }): Promise<ResultView | null> {
  const now = ctx.services.now();
  return ctx.services.db.transaction(async (tx: Tx) => {
    const owner = opts.ownerId ? eq(attempts.userId, opts.ownerId) : undefined;
    const [row] = await tx
      .select({ attempt: attempts, document: testVersions.document })
      .from(attempts)
      .innerJoin(testVersions, eq(testVersions.id, attempts.versionId))
      .where(and(eq(attempts.id, opts.attemptId), owner))
      .for('update', { of: attempts })
      .limit(1);
    if (!row) {
      if (opts.auto) return null;
      throw notFound('Attempt');
    }
    const a = row.attempt;
    if (a.status === 'submitted') {
      const [existing] = await tx.select().from(results).where(eq(results.attemptId, a.id)).limit(1);
      return existing ? resultView(existing, row.document.title) : null;
    }
    const timeUp = expired(a, now);
    if (opts.auto && !timeUp) return null;
    const answerRows = await tx
      .select({ key: attemptAnswers.questionKey, answer: attemptAnswers.answer })
      .from(attemptAnswers)
      .where(eq(attemptAnswers.attemptId, a.id));
    const outcome = scoreAttempt(row.document, Object.fromEntries(answerRows.map((r) => [r.key, r.answer])));
    const submittedAt = timeUp ? a.deadlineAt! : now;
    const [inserted] = await tx
      .insert(results)
      .values({
        attemptId: a.id,
        testId: a.testId,
        versionId: a.versionId,
        version: a.version,
        kind: row.document.kind,
        userId: a.userId,
        childId: a.childId,
        scales: outcome.scales,
        score: outcome.score,
        correct: outcome.correct,
        total: outcome.total,
        passed: outcome.passed,
        submittedAt,
        autoSubmitted: timeUp,
        createdAt: now,
      })
      .onConflictDoNothing({ target: results.attemptId })
      .returning();
    await tx.update(attempts).set({ status: 'submitted', submittedAt, autoSubmitted: timeUp }).where(eq(attempts.id, a.id));
    const result: Result | undefined = inserted ?? (await tx.select().from(results).where(eq(results.attemptId, a.id)).limit(1))[0];
    return result ? resultView(result, row.document.title) : null;
  });
}

/** Cron: submits open attempts whose deadline has passed, oldest first, a bounded number per run. */
export async function sweepExpiredAttempts(ctx: Ctx, limit = 200): Promise<{ submitted: number; failed: number }> {
  const now = ctx.services.now();
  const due = await ctx.services.db.db
    .select({ id: attempts.id })
    .from(attempts)
    .where(and(eq(attempts.status, 'open'), isNotNull(attempts.deadlineAt), lte(attempts.deadlineAt, now)))
    .orderBy(asc(attempts.deadlineAt))
    .limit(limit);
  let submitted = 0;
  let failed = 0;
  for (const { id } of due) {
    try {
      if (await finalizeAttempt(ctx, { attemptId: id, auto: true })) submitted++;
    } catch (err) {
      failed++;
      ctx.log.error('auto-submit failed', { attemptId: id, ...errorFields(err) });
    }
  }
  return { submitted, failed };
}
