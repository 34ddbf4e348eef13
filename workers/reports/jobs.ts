import { and, eq, lt, or, sql } from 'drizzle-orm';
import { children, courses, reports, results, testVersions, users, type LocalizedText, type Report } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { stateIs } from '../lib/sql.ts';
import { notificationInsert, publishNotifications } from '../notifications/notify.ts';
import { verificationUrl } from './certificates.ts';
import { contentLang, renderCertificate, renderResultReport, type CertificateData, type Lang, type ResultReportData } from './render.ts';

/**
 * The report job: claim → load → render → store → mark ready + notify. Safe to run twice for
 * the same report (duplicate messages, retries): a ready report is skipped, a report another
 * consumer is rendering is left to it (lease), an existing file is not written again, and the
 * notification has a dedupe key.
 */

/** Where PDFs go: the R2 binding in production; tests wrap it to inject failures. */
export interface ReportStore {
  exists(key: string): Promise<boolean>;
  put(key: string, bytes: Uint8Array, meta: { reportId: string }): Promise<void>;
  remove(key: string): Promise<void>;
}

export interface Renderers {
  result(data: ResultReportData): Promise<Uint8Array>;
  certificate(data: CertificateData): Promise<Uint8Array>;
}

export interface ReportDeps {
  store: ReportStore;
  render: Renderers;
}

export const defaultRenderers: Renderers = { result: renderResultReport, certificate: renderCertificate };

export function r2Store(bucket: R2Bucket): ReportStore {
  return {
    async exists(key) {
      return (await bucket.head(key)) !== null;
    },
    async put(key, bytes, meta) {
      await bucket.put(key, bytes, {
        httpMetadata: { contentType: 'application/pdf', contentDisposition: 'attachment' },
        customMetadata: { reportId: meta.reportId },
      });
    },
    async remove(key) {
      await bucket.delete(key);
    },
  };
}

/** The job cannot succeed however often it is retried: dead-letter it now. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** How long one consumer holds a report; a crashed consumer's claim expires after this. */
const LEASE_MS = 2 * 60 * 1000;

export type JobOutcome =
  | { outcome: 'ready'; bytes: number; wrote: boolean }
  | { outcome: 'already_ready' }
  | { outcome: 'busy' }
  | { outcome: 'gone' }
  | { outcome: 'failed_before' };

async function claim(ctx: Ctx, reportId: string, now: Date): Promise<Report | undefined> {
  const [row] = await ctx.services.db.db
    .update(reports)
    .set({ status: 'rendering', tries: sql`${reports.tries} + 1`, leaseUntil: new Date(now.getTime() + LEASE_MS), updatedAt: now })
    .where(
      and(
        eq(reports.id, reportId),
        or(stateIs(reports.status, 'queued'), and(stateIs(reports.status, 'rendering'), lt(reports.leaseUntil, now))),
      ),
    )
    .returning();
  return row;
}

const asLang = (l: string | null | undefined): Lang => (l === 'kk' || l === 'en' ? l : 'ru');

async function resultData(ctx: Ctx, report: Report): Promise<ResultReportData> {
  const [row] = await ctx.services.db.db
    .select({
      result: results,
      document: testVersions.document,
      ownerName: users.name,
      ownerLang: users.language,
      childName: children.name,
      childLang: children.language,
      childBirthYear: children.birthYear,
    })
    .from(results)
    .innerJoin(testVersions, eq(testVersions.id, results.versionId))
    .innerJoin(users, eq(users.id, results.userId))
    .leftJoin(children, eq(children.id, results.childId))
    .where(and(eq(results.id, report.resultId!), eq(results.userId, report.userId)))
    .limit(1);
  if (!row) throw new PermanentJobError(`result ${report.resultId} of report ${report.id} no longer exists`);
  const { result, document } = row;
  const bandsOf = new Map(document.scales.map((s) => [s.key, s.bands]));
  const data: ResultReportData = {
    // Labels in the language of the test's text, so a report never mixes two languages.
    language: contentLang(document.title, asLang(row.childName !== null ? row.childLang : row.ownerLang)),
    subjectName: row.childName ?? row.ownerName,
    testTitle: document.title,
    kind: result.kind,
    version: result.version,
    date: result.submittedAt,
    scales: result.scales.map((s) => ({
      title: s.title,
      score: s.score,
      min: s.min,
      max: s.max,
      bandIndex: s.bandIndex,
      bands: bandsOf.get(s.key) ?? [],
    })),
    reference: report.id,
  };
  if (row.childBirthYear !== null) data.birthYear = row.childBirthYear;
  if (result.score !== null) data.score = result.score;
  if (result.correct !== null) data.correct = result.correct;
  if (result.total !== null) data.total = result.total;
  if (result.passed !== null) data.passed = result.passed;
  return data;
}

async function certificateData(ctx: Ctx, report: Report): Promise<CertificateData> {
  const [owner] = await ctx.services.db.db
    .select({ name: users.name, language: users.language })
    .from(users)
    .where(eq(users.id, report.userId))
    .limit(1);
  const courseTitle = report.data.courseTitle as LocalizedText | undefined;
  const completedAt = typeof report.data.completedAt === 'string' ? new Date(report.data.completedAt) : report.createdAt;
  if (!owner || !courseTitle || typeof courseTitle !== 'object' || Number.isNaN(completedAt.getTime())) {
    throw new PermanentJobError(`certificate ${report.id} lacks its learner or course title`);
  }
  const language = contentLang(courseTitle, asLang(owner.language));
  const [course] = report.courseId
    ? await ctx.services.db.db
        .select({ teacherName: users.name })
        .from(courses)
        .innerJoin(users, eq(users.id, courses.teacherId))
        .where(eq(courses.id, report.courseId))
        .limit(1)
    : [];
  const data: CertificateData = { language, learnerName: owner.name, courseTitle, date: completedAt, reference: report.id };
  if (course) data.teacherName = course.teacherName;
  if (report.verifyCode) {
    // The origin the learner used, else the site's configured one.
    const origin = typeof report.data.origin === 'string' ? report.data.origin : (ctx.config.corsOrigins[0] ?? 'https://sabaq.kz');
    data.verifyCode = report.verifyCode;
    data.verifyUrl = verificationUrl(origin, language, report.verifyCode);
  }
  return data;
}

export async function processReportJob(ctx: Ctx, deps: ReportDeps, reportId: string): Promise<JobOutcome> {
  const now = ctx.services.now();
  const report = await claim(ctx, reportId, now);
  if (!report) {
    const [current] = await ctx.services.db.db.select({ status: reports.status }).from(reports).where(eq(reports.id, reportId)).limit(1);
    if (!current) return { outcome: 'gone' };
    if (current.status === 'ready') return { outcome: 'already_ready' };
    if (current.status === 'failed') return { outcome: 'failed_before' };
    return { outcome: 'busy' };
  }
  try {
    let wrote = false;
    let size = report.sizeBytes ?? 0;
    // A previous try may have stored the file and died before marking it ready.
    if (!(await deps.store.exists(report.storageKey))) {
      const bytes =
        report.kind === 'certificate'
          ? await deps.render.certificate(await certificateData(ctx, report))
          : await deps.render.result(await resultData(ctx, report));
      await deps.store.put(report.storageKey, bytes, { reportId: report.id });
      wrote = true;
      size = bytes.byteLength;
    }
    const done = ctx.services.now();
    // One transaction: the report is ready and its owner told, or neither. Only while this
    // consumer still holds the claim (`tries` is its fencing token): one that stalled past its
    // lease while another finished must not mark the report ready a second time.
    const told = await ctx.services.db.transaction(async (tx) => {
      const [marked] = await tx
        .update(reports)
        .set({ status: 'ready', readyAt: done, leaseUntil: null, error: null, sizeBytes: size || null, updatedAt: done })
        .where(and(eq(reports.id, report.id), stateIs(reports.status, 'rendering'), eq(reports.tries, report.tries)))
        .returning({ id: reports.id });
      if (!marked) {
        const [current] = await tx.select({ status: reports.status }).from(reports).where(eq(reports.id, report.id)).limit(1);
        return current ? { lostClaim: current.status } : null;
      }
      return notificationInsert(tx, {
        userId: report.userId,
        kind: 'report_ready',
        data: { reportId: report.id, reportKind: report.kind, resultId: report.resultId, courseId: report.courseId },
        dedupeKey: `report_ready:${report.id}`,
      });
    });
    if (told !== null && 'lostClaim' in told) {
      // Another consumer took over after this one's lease ran out: the report is its business
      // (the file stays: it is the same report, and that consumer may already have marked it).
      return told.lostClaim === 'ready' ? { outcome: 'already_ready' } : { outcome: 'busy' };
    }
    if (told === null) {
      // The child or account was deleted while this rendered: its deletion listed the files
      // before this one existed, so the file is removed here instead of being orphaned.
      await deps.store.remove(report.storageKey);
      return { outcome: 'gone' };
    }
    // Pushed to the owner's open pages once committed (none when the dedupe key existed).
    publishNotifications(ctx, told);
    return { outcome: 'ready', bytes: size, wrote };
  } catch (err) {
    // Give the claim back so the retry (or another consumer) can take it at once.
    await ctx.services.db.db
      .update(reports)
      .set({ status: 'queued', leaseUntil: null, error: String(err).slice(0, 500), updatedAt: ctx.services.now() })
      .where(and(eq(reports.id, report.id), stateIs(reports.status, 'rendering'), eq(reports.tries, report.tries)))
      .catch((e: unknown) => ctx.log.warn('report release failed', { reportId, err: String(e) }));
    throw err;
  }
}

/** Dead-letter path: the report is failed for good (until asked again) and its owner is told once. */
export async function markReportFailed(ctx: Ctx, reportId: string, reason: string): Promise<'failed' | 'already_ready' | 'gone'> {
  const now = ctx.services.now();
  const outcome = await ctx.services.db.transaction(async (tx) => {
    const [row] = await tx
      .update(reports)
      .set({ status: 'failed', failedAt: now, leaseUntil: null, error: sql`coalesce(${reports.error}, ${reason})`, updatedAt: now })
      .where(and(eq(reports.id, reportId), sql`${reports.status} <> 'ready'`))
      .returning();
    if (!row) {
      const [current] = await tx.select({ status: reports.status }).from(reports).where(eq(reports.id, reportId)).limit(1);
      return { status: current ? ('already_ready' as const) : ('gone' as const), told: [] };
    }
    const told = await notificationInsert(tx, {
      userId: row.userId,
      kind: 'report_failed',
      data: { reportId: row.id, reportKind: row.kind, resultId: row.resultId, courseId: row.courseId },
      dedupeKey: `report_failed:${row.id}`,
    });
    return { status: 'failed' as const, told };
  });
  publishNotifications(ctx, outcome.told);
  return outcome.status;
}
