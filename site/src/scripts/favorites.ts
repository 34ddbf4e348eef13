// Favorites. Capability 4 adds the remove-from-favorites button.
import { courseCard } from '../lib/courses';
import { byId } from '../lib/dom';
import { loadMeList } from '../lib/me-list';
import type { CourseCard } from '../lib/types';

type FavoriteItem = CourseCard | { course: CourseCard };

void loadMeList<FavoriteItem>({
  region: byId('me-list'),
  list: byId('me-list-items'),
  path: '/api/me/favorites',
  renderItem: (item) => courseCard('course' in item ? item.course : item, 'h2'),
});
