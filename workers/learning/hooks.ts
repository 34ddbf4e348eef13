import type { LocalizedText } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { requestCertificate } from '../reports/reports.ts';

export interface CourseCompletedEvent {
  userId: string;
  courseId: string;
  courseTitle: LocalizedText;
  completedAt: Date;
  /** The site's origin the learner used (for the certificate's QR code). */
  origin?: string;
}

/**
 * Runs once per completed course, after the completion is committed (deferred: the
 * learner's request does not wait for it). Asks reports for the course-completion
 * certificate; that call is idempotent per learner and course, so a retry is harmless.
 */
export async function onCourseCompleted(ctx: Ctx, event: CourseCompletedEvent): Promise<void> {
  if (!ctx.config.REPORTS_QUEUE) {
    ctx.log.warn('no reports queue: certificate not requested', { userId: event.userId, courseId: event.courseId });
    return;
  }
  await requestCertificate(ctx, {
    userId: event.userId,
    courseId: event.courseId,
    courseTitle: event.courseTitle,
    completedAt: event.completedAt,
    ...(event.origin ? { origin: event.origin } : {}),
  });
}
