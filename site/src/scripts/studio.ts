// Teacher studio. Capability 2 adds course authoring; capability 12 the dashboards.
import { courseCard } from '../lib/courses';
import { byId, setState } from '../lib/dom';
import { tc } from '../lib/i18n-client';
import { loadMeList } from '../lib/me-list';
import type { CourseCard } from '../lib/types';

const region = byId('me-list');

void loadMeList<CourseCard>({
  region,
  list: byId('me-list-items'),
  path: '/api/teacher/courses',
  roles: ['teacher', 'admin'],
  beforeLoad: (user) => {
    if (user.role !== 'teacher' || user.teacherStatus === 'verified') return true;
    setState(region, 'pending', tc('studio.pending'));
    return false;
  },
  renderItem: (course) => courseCard(course, 'h2'),
});
