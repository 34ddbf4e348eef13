// My learning. Capability 4 adds progress and "resume" to each course.
import { courseCard } from '../lib/courses';
import { byId } from '../lib/dom';
import { loadMeList } from '../lib/me-list';
import type { CourseCard } from '../lib/types';

/** Provisional item shape: the enrolled course, with or without progress around it. */
type LearningItem = CourseCard | { course: CourseCard; progress?: number };

void loadMeList<LearningItem>({
  region: byId('me-list'),
  list: byId('me-list-items'),
  path: '/api/me/learning',
  renderItem: (item) => courseCard('course' in item ? item.course : item, 'h2'),
});
