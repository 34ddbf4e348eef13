// Result shell. Capability 6/7 renders scales, bands and the PDF report link into #record-body.
import { api } from '../lib/api';
import { byId } from '../lib/dom';
import { loadShell, setPageTitle } from '../lib/shell';

interface Result {
  id: string;
  title?: string;
}

void loadShell<Result>({
  section: 'results',
  region: byId('record'),
  load: (id) => api.get<Result>(`/api/results/${encodeURIComponent(id)}`),
  render: (result) => {
    if (result.title) setPageTitle(byId('record-title'), result.title);
  },
});
