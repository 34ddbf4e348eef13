// Attempt shell (taking a test). Capability 6 renders the questions into #record-body.
import { api } from '../lib/api';
import { byId } from '../lib/dom';
import { loadShell, setPageTitle } from '../lib/shell';

interface Attempt {
  id: string;
  title?: string;
}

void loadShell<Attempt>({
  section: 'attempts',
  region: byId('record'),
  load: (id) => api.get<Attempt>(`/api/attempts/${encodeURIComponent(id)}`),
  render: (attempt) => {
    if (attempt.title) setPageTitle(byId('record-title'), attempt.title);
  },
});
