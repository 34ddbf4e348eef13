// My certificates (GET /api/me/certificates): each with its verification page and its PDF.
// "Download PDF" asks for a fresh short-lived link (GET /api/reports/{id}) and follows it.
import { api, errorMessage } from '../lib/api';
import { localText } from '../lib/assessments';
import { byId, h } from '../lib/dom';
import { formatDate, href, tc } from '../lib/i18n-client';
import { loadMeList } from '../lib/me-list';
import type { Schemas } from '../lib/types';

type CertificateItem = Schemas['CertificateItem'];
/** GET /api/reports/{id}: the PDF link once ready. */
type ReportView = Schemas['Report'];

function renderItem(c: CertificateItem): Node {
  const title = localText(c.courseTitle);
  const note = h('p', { class: 'muted', role: 'status' });
  const actions = h('div', { class: 'actions' });
  if (c.status === 'ready') {
    const download = h(
      'button',
      { type: 'button', class: 'button button--small', 'data-certificate-download': c.id },
      tc('certificates.download'),
    );
    download.addEventListener('click', async () => {
      download.setAttribute('aria-busy', 'true');
      note.textContent = '';
      try {
        const report = await api.get<ReportView>(`/api/reports/${encodeURIComponent(c.id)}`);
        if (report.url) window.location.assign(report.url);
        else note.textContent = tc('certificates.preparing');
      } catch (error) {
        note.textContent = errorMessage(error);
      } finally {
        download.removeAttribute('aria-busy');
      }
    });
    actions.append(download);
  } else {
    note.textContent = c.status === 'failed' ? tc('certificates.failed') : tc('certificates.preparing');
  }
  if (c.code) actions.append(h('a', { href: href(`/certificates/${encodeURIComponent(c.code)}`) }, tc('certificates.verify')));
  return h(
    'li',
    { class: 'certificate-item', 'data-course-id': c.courseId ?? '' },
    h('h2', { lang: title.lang }, title.text),
    c.teacherName ? h('p', {}, tc('certificates.teacher', { name: c.teacherName })) : null,
    h('p', {}, tc('certificates.completedOn', { date: formatDate(c.completedAt) })),
    c.code ? h('p', { class: 'certificate-code' }, tc('certificates.code', { code: c.code })) : null,
    c.revoked ? h('p', { class: 'muted' }, h('strong', {}, tc('certificates.revoked'))) : null,
    actions,
    note,
  );
}

void loadMeList<CertificateItem>({
  region: byId('me-list'),
  list: byId('me-list-items'),
  path: '/api/me/certificates',
  renderItem,
});
