// Shapes of the learning, review and notification API responses (capabilities 4, 5, 10).
import type { CourseCard } from './types';

/** GET /api/me/notifications items; `data` depends on `kind` (course ids and titles, ratings…). */
export interface NotificationItem {
  id: string;
  kind: string;
  data: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
}

export interface Progress {
  completed: number;
  total: number;
  percent: number;
}

export interface NextLesson {
  id: string;
  title: string;
}

/** GET /api/me/learning items. */
export interface LearningItem {
  course: CourseCard;
  available: boolean;
  status: 'active' | 'completed';
  enrolledAt: string;
  completedAt: string | null;
  progress: Progress;
  nextLesson: NextLesson | null;
}

/** GET /api/courses/:id/progress and the lesson completion answers. */
export interface CourseProgress {
  courseId: string;
  status: 'active' | 'completed';
  completedAt: string | null;
  progress: Progress;
  nextLesson: NextLesson | null;
  completedLessonIds: string[];
  courseCompleted?: boolean;
}

export interface Review {
  id: string;
  rating: number;
  text: string;
  author: { name: string };
  reply: { text: string; createdAt: string } | null;
  createdAt: string;
  hidden?: boolean;
}

/** GET /api/me/courses/:id — the course page's personal part. */
export interface MyCourse {
  enrolled: boolean;
  status: 'active' | 'completed' | null;
  completedAt: string | null;
  progress: Progress | null;
  nextLesson: NextLesson | null;
  completedLessonIds: string[];
  favorite: boolean;
  review: (Review & { hidden: boolean }) | null;
  teacher: boolean;
}

/** GET /api/me/favorites items. */
export interface FavoriteItem {
  course: CourseCard;
  favoritedAt: string;
}
