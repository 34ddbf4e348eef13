import { index, pgEnum, pgTable, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { courses } from './catalog.ts';
import { id, timestamps } from './columns.ts';
import { users } from './identity.ts';

export const enrollmentStatusEnum = pgEnum('enrollment_status', ['active', 'completed']);

/** One row per learner and course (a unique pair): enrolling twice is one enrollment. */
export const enrollments = pgTable(
  'enrollments',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    status: enrollmentStatusEnum('status').notNull().default('active'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('enrollments_user_course_key').on(t.userId, t.courseId),
    index('enrollments_user_created_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    index('enrollments_course_idx').on(t.courseId),
  ],
);

export type Enrollment = typeof enrollments.$inferSelect;
