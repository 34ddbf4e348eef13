import { and, eq, sql } from 'drizzle-orm';
import { reports, results, type LocalizedText, type Report } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { AppError, forbidden, notFound } from '../lib/errors.ts';
import { certificateCode } from './certificates.ts';
import { REPORTS_QUEUE_NAME } from './queues.ts';
import { URL_TTL_SEC, presignR2, r2Credentials, signDownload, verifyDownload } from './signing.ts';
import { errorFields } from '../lib/logger.ts';
import type { ReportRequestView, ReportView } from './schemas.ts';

/**
 * Reports of results and course certificates. Asking is idempotent: the storage key is derived
 * from what the PDF shows, it is unique, so the same result version (or learner + course) is
 * always the same row and the same file. The PDF is rendered by the queue consumer (jobs.ts);
 * the API answers 202 with a status to poll.
 */

export interface ReportJob {
  v: 1;
  reportId: string;
  /** When the message was produced: queue age for metrics. */
  createdAt: string;
}

export const resultReportKey = (resultId: string, version: number) => `reports/${resultId}/v${version}.pdf`;
export const certificateKey = (userId: string, courseId: string) => `certificates/${userId}/${courseId}.pdf`;

/** A queued report whose message may have been lost is sent again after this long. */
const RESEND_AFTER_MS = 5 * 60 * 1000;

function queueOf(ctx: Ctx): Queue {
  const q = ctx.config.REPORTS_QUEUE;
  if (!q)
    throw new AppError('service_unavailable', 'Reports are not available right now', { binding: 'REPORTS_QUEUE' }, { 'Retry-After': '60' });
  return q;
}

/** Sends the job when the report still needs one: new, retried after a failure, or stale. */
async function enqueueIfNeeded(ctx: Ctx, report: Report, fresh: boolean): Promise<Report> {
  const now = ctx.services.now();
  const db = ctx.services.db.db;
  if (report.status === 'failed') {
    // Asking again after a failure is a new try.
    const [reset] = await db
      .update(reports)
      .set({ status: 'queued', error: null, failedAt: null, tries: 0, leaseUntil: null, enqueuedAt: null, updatedAt: now })
      .where(and(eq(reports.id, report.id), eq(reports.status, 'failed')))
      .returning();
    if (reset) report = reset;
  }
  const stale = report.status === 'queued' && (report.enqueuedAt === null || now.getTime() - report.enqueuedAt.getTime() > RESEND_AFTER_MS);
  if (!fresh && !stale) return report;
  if (report.status !== 'queued') return report;
  const job: ReportJob = { v: 1, reportId: report.id, createdAt: now.toISOString() };
  await queueOf(ctx).send(job, { contentType: 'json' });
  ctx.services.metrics.queueSent(REPORTS_QUEUE_NAME);
  const [sent] = await db.update(reports).set({ enqueuedAt: now }).where(eq(reports.id, report.id)).returning();
  return sent ?? report;
}

async function insertOrGet(ctx: Ctx, values: typeof reports.$inferInsert): Promise<{ report: Report; fresh: boolean }> {
  const db = ctx.services.db.db;
  const [inserted] = await db.insert(reports).values(values).onConflictDoNothing({ target: reports.storageKey }).returning();
  if (inserted) return { report: inserted, fresh: true };
  const [existing] = await db.select().from(reports).where(eq(reports.storageKey, values.storageKey)).limit(1);
  if (!existing) throw new AppError('conflict', 'The report is being created; try again');
  return { report: existing, fresh: false };
}

/** POST /api/results/:id/report — only the result's owner. */
export async function requestResultReport(ctx: Ctx, actor: Actor, resultId: string): Promise<ReportRequestView> {
  if (!isId(resultId)) throw notFound('Result');
  queueOf(ctx);
  const [result] = await ctx.services.db.db
    .select({ id: results.id, userId: results.userId, version: results.version })
    .from(results)
    .where(and(eq(results.id, resultId), eq(results.userId, actor.id)))
    .limit(1);
  if (!result) throw notFound('Result');
  const { report, fresh } = await insertOrGet(ctx, {
    kind: 'result',
    userId: result.userId,
    resultId: result.id,
    version: result.version,
    storageKey: resultReportKey(result.id, result.version),
    status: 'queued',
  });
  const sent = await enqueueIfNeeded(ctx, report, fresh);
  return { id: sent.id, status: sent.status };
}

/**
 * Course-completion certificate, called by the learning code when a course completes.
 * Idempotent per learner and course: calling it again returns the same report.
 */
export async function requestCertificate(
  ctx: Ctx,
  input: {
    userId: string;
    courseId: string;
    courseTitle: LocalizedText | string;
    completedAt?: Date;
    /** The site's origin, for the QR code of the verification page (absent: the configured origin). */
    origin?: string;
  },
): Promise<ReportRequestView> {
  if (!isId(input.userId) || !isId(input.courseId)) throw notFound('Course');
  queueOf(ctx);
  const courseTitle: LocalizedText =
    typeof input.courseTitle === 'string' ? { ru: input.courseTitle, kk: input.courseTitle, en: input.courseTitle } : input.courseTitle;
  const { report, fresh } = await insertOrGet(ctx, {
    kind: 'certificate',
    userId: input.userId,
    courseId: input.courseId,
    version: 1,
    storageKey: certificateKey(input.userId, input.courseId),
    status: 'queued',
    verifyCode: await certificateCode(ctx.config.JWT_SECRET, input.userId, input.courseId),
    data: {
      courseTitle,
      completedAt: (input.completedAt ?? ctx.services.now()).toISOString(),
      ...(input.origin ? { origin: input.origin } : {}),
    },
  });
  const sent = await enqueueIfNeeded(ctx, report, fresh);
  return { id: sent.id, status: sent.status };
}

const filename = (r: Report) => (r.kind === 'certificate' ? `sabaq-certificate-${r.id}.pdf` : `sabaq-report-${r.id}.pdf`);

/** GET /api/reports/:id — the owner's view, with a short-lived link once ready. */
export async function getReport(ctx: Ctx, actor: Actor, reportId: string, opts: { origin: string }): Promise<ReportView> {
  if (!isId(reportId)) throw notFound('Report');
  const [r] = await ctx.services.db.db
    .select()
    .from(reports)
    .where(and(eq(reports.id, reportId), eq(reports.userId, actor.id)))
    .limit(1);
  if (!r) throw notFound('Report');
  const view: ReportView = {
    id: r.id,
    kind: r.kind,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    readyAt: r.readyAt?.toISOString() ?? null,
  };
  if (r.status === 'failed' && r.error) view.error = 'The report could not be produced; ask for it again';
  if (r.status !== 'ready') return view;
  const now = ctx.services.now();
  const exp = Math.floor(now.getTime() / 1000) + URL_TTL_SEC;
  const creds = r2Credentials(ctx.config);
  if (creds) {
    view.url = await presignR2(creds, r.storageKey, filename(r), URL_TTL_SEC);
  } else {
    const sig = await signDownload(ctx.config.JWT_SECRET, r.id, exp);
    view.url = `${opts.origin}/api/reports/${r.id}/download?exp=${exp}&sig=${sig}`;
  }
  view.expiresAt = new Date(exp * 1000).toISOString();
  return view;
}

export interface Download {
  body: ReadableStream;
  size: number;
  filename: string;
  etag: string;
}

/**
 * Deletes the stored PDFs of reports whose rows are gone (a child or an account deleted).
 * Runs after the commit: a file whose row is gone is already unreachable (downloads look the
 * row up first), so a storage failure is logged for cleanup, not shown to the user.
 */
export async function removeReportFiles(ctx: Ctx, keys: string[]): Promise<void> {
  const bucket = ctx.config.REPORTS_BUCKET;
  if (!bucket || !keys.length) return;
  // R2 deletes up to 1,000 keys per call.
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    await bucket
      .delete(batch)
      .catch((err: unknown) =>
        ctx.log.error('report files left in storage', { count: batch.length, first: batch[0], ...errorFields(err) }),
      );
  }
}

/** GET /api/reports/:id/download — the signed link is the credential; no session needed. */
export async function openDownload(ctx: Ctx, reportId: string, q: { exp?: string; sig?: string }): Promise<Download> {
  if (!isId(reportId) || !(await verifyDownload(ctx.config.JWT_SECRET, reportId, q.exp, q.sig, ctx.services.now()))) {
    throw forbidden('This download link is invalid or has expired');
  }
  const bucket = ctx.config.REPORTS_BUCKET;
  if (!bucket) throw new AppError('service_unavailable', 'Report storage is not available right now', undefined, { 'Retry-After': '60' });
  const [r] = await ctx.services.db.db
    .select()
    .from(reports)
    .where(and(eq(reports.id, reportId), sql`${reports.status} = 'ready'`))
    .limit(1);
  if (!r) throw notFound('Report');
  const object = await bucket.get(r.storageKey);
  if (!object) throw notFound('Report');
  return { body: object.body, size: object.size, filename: filename(r), etag: object.httpEtag };
}
