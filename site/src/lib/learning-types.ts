// The learning, review and notification answers (capabilities 4, 5, 10), from the API's own
// OpenAPI document (see types.ts).
import type { Schemas } from './types';

/** GET /api/me/notifications items; `data` depends on `kind` (course ids and titles, ratings…). */
export type NotificationItem = Schemas['Notification'];
export type Progress = Schemas['Progress'];
/** GET /api/me/learning items. */
export type LearningItem = Schemas['LearningItem'];
export type NextLesson = NonNullable<LearningItem['nextLesson']>;
/** GET /api/courses/:id/progress and the lesson completion answers. */
export type CourseProgress = Schemas['CourseProgress'] & { courseCompleted?: boolean };
export type Review = Schemas['Review'];
/** GET /api/me/courses/:id — the course page's personal part. */
export type MyCourse = Schemas['MyCourse'];
/** GET /api/me/favorites items. */
export type FavoriteItem = Schemas['FavoriteItem'];
