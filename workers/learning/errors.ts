import { AppError } from '../lib/errors.ts';

/** 403 with the stable code `not_enrolled`: the site offers "Enroll" instead of a generic refusal. */
export function notEnrolled(courseId: string | null, message = 'Enroll in the course first'): AppError {
  return new AppError('not_enrolled', message, courseId ? { reason: 'not_enrolled', courseId } : { reason: 'not_enrolled' });
}
