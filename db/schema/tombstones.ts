import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Courses that were public once and are deleted now: their pages answer 410 Gone (search
 * engines drop a 410 at once, a 404 only after retries). No foreign key — the course is gone.
 */
export const courseTombstones = pgTable('course_tombstones', {
  courseId: uuid('course_id').primaryKey(),
  deletedAt: timestamp('deleted_at', { withTimezone: true }).notNull().defaultNow(),
});
