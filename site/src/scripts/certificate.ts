// The public verification page of a certificate (`/{lang}/certificates/:code`): one call to
// GET /api/certificates/{code}, no session needed.
import { api, errorMessage, isApiError } from '../lib/api';
import { localText } from '../lib/assessments';
import { byId, h, routeId, setState } from '../lib/dom';
import { formatDate, href, tc } from '../lib/i18n-client';
import type { Schemas } from '../lib/types';

type Verification = Schemas['CertificateVerification'];

const region = byId('record');

async function load(): Promise<void> {
  const code = routeId('certificates');
  if (!code) return setState(region, 'notfound');
  setState(region, 'loading');
  try {
    const v = await api.get<Verification>(`/api/certificates/${encodeURIComponent(code)}`);
    const status = byId('certificate-status');
    status.dataset.status = v.status;
    status.textContent =
      v.status === 'valid'
        ? `✓ ${tc('certificate.valid')}`
        : `✗ ${tc('certificate.revoked')}. ${tc('certificate.revokedOn', { date: formatDate(v.revokedAt) })}`;
    byId('certificate-learner').textContent = v.learnerName;
    const title = localText(v.courseTitle);
    byId('certificate-course').replaceChildren(
      v.courseId
        ? h('a', { href: href(`/courses/${encodeURIComponent(v.courseId)}`), lang: title.lang }, title.text)
        : h('span', { lang: title.lang }, title.text),
    );
    byId('certificate-teacher').textContent = v.teacherName ?? '—';
    byId('certificate-date').replaceChildren(h('time', { datetime: v.completedAt }, formatDate(v.completedAt)));
    byId('certificate-code').textContent = v.code;
    setState(region, 'ready');
  } catch (error) {
    if (isApiError(error) && error.status === 404) setState(region, 'notfound');
    else setState(region, 'error', errorMessage(error));
  }
}

void load();
