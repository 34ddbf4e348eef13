// Lesson shell. Capability 2/4 renders the lesson body (Markdown, video) into #record-body.
import { api } from '../lib/api';
import { byId } from '../lib/dom';
import { loadShell, setPageTitle } from '../lib/shell';

interface Lesson {
  id: string;
  title: string;
  titleLang?: string;
}

void loadShell<Lesson>({
  section: 'lessons',
  region: byId('record'),
  load: (id) => api.get<Lesson>(`/api/lessons/${encodeURIComponent(id)}`),
  render: (lesson) => setPageTitle(byId('record-title'), lesson.title, lesson.titleLang),
});
