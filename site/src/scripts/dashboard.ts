// Teacher dashboard (`/{lang}/dashboard`): pulse (live over the page's socket, polled as a
// fallback), enrollments and completions over time, the lesson funnel of one course, and
// what learners say. Every number comes from /api/dashboard/* (rollups, cached briefly).
import { api, errorMessage, isApiError } from '../lib/api';
import { barChart, pick } from '../lib/chart';
import { byId, h, setState } from '../lib/dom';
import { locale, tc } from '../lib/i18n-client';
import { onLive } from '../lib/live';
import { requireUser } from '../lib/session';
import type { DashboardOverview, DashboardPulse, DashboardReview, DashboardSeams, DashboardVoices } from '../lib/types';

type Pulse = DashboardPulse;
type Overview = DashboardOverview;
type ReviewItem = DashboardReview;
type Voices = DashboardVoices;
type Seams = DashboardSeams;

const region = byId('dash');
const form = byId<HTMLFormElement>('dash-filter');
const courseSelect = byId<HTMLSelectElement>('dash-course');
const filterError = byId('dash-filter-error');
const POLL_MS = 30_000;
const time = (iso: string) => new Date(iso).toLocaleString(locale());
const courseFilled = { done: false };

function query(): Record<string, string> {
  const data = new FormData(form);
  const q: Record<string, string> = {};
  for (const key of ['from', 'to', 'bucket', 'courseId']) {
    const v = String(data.get(key) ?? '');
    if (v) q[key] = v;
  }
  return q;
}

const csvHref = (path: string, q: Record<string, string>) => `${path}?${new URLSearchParams({ ...q, format: 'csv' }).toString()}`;

async function loadPulse(): Promise<void> {
  const courseId = query().courseId;
  const p = await api.get<Pulse>('/api/dashboard/pulse', { query: { courseId }, lang: false });
  for (const dd of byId('dash-pulse').querySelectorAll<HTMLElement>('[data-pulse]')) {
    dd.textContent = String(p[dd.dataset.pulse as 'activeNow']);
  }
  const empty = () => h('li', {}, tc('dash.nothingYet'));
  byId('dash-completions').replaceChildren(
    ...(p.recentCompletions.length
      ? p.recentCompletions.map((c) =>
          h(
            'li',
            {},
            h('time', { datetime: c.at }, time(c.at)),
            ' — ',
            c.learnerName,
            ': ',
            pick(c.lessonTitle),
            ' (',
            pick(c.courseTitle),
            ')',
          ),
        )
      : [empty()]),
  );
  byId('dash-submissions').replaceChildren(
    ...(p.recentSubmissions.length
      ? p.recentSubmissions.map((s) =>
          h('li', {}, h('time', { datetime: s.at }, time(s.at)), ' — ', s.learnerName ?? tc('dash.child'), ': ', pick(s.testTitle)),
        )
      : [empty()]),
  );
  byId('dash-pulse').dataset.updated = new Date().toISOString();
}

async function loadOverview(q: Record<string, string>): Promise<void> {
  const v = await api.get<Overview>('/api/dashboard/overview', { query: q, lang: false });
  if (!courseFilled.done) {
    courseFilled.done = true;
    courseSelect.append(...v.courses.map((c) => h('option', { value: c.id }, pick(c.title))));
  }
  const labels = v.series.map((p) => p.period);
  byId('dash-overview').replaceChildren(
    barChart({
      id: 'chart-overview',
      title: tc('dash.overTime'),
      xLabel: tc('dash.period'),
      yLabel: tc('dash.count'),
      labels,
      series: [
        { label: tc('dash.enrollments'), values: v.series.map((p) => p.enrollments), cls: 's1' },
        { label: tc('dash.completions'), values: v.series.map((p) => p.completions), cls: 's2' },
      ],
    }),
    barChart({
      id: 'chart-activity',
      title: `${tc('dash.lessonCompletions')} / ${tc('dash.submissions')}`,
      xLabel: tc('dash.period'),
      yLabel: tc('dash.count'),
      labels,
      series: [
        { label: tc('dash.lessonCompletions'), values: v.series.map((p) => p.lessonCompletions), cls: 's1' },
        { label: tc('dash.submissions'), values: v.series.map((p) => p.submissions), cls: 's2' },
      ],
    }),
  );
  byId<HTMLAnchorElement>('dash-overview-csv').href = csvHref('/api/dashboard/overview', q);
}

function reviewItem(r: ReviewItem, replyable: boolean): HTMLLIElement {
  const li = h(
    'li',
    {},
    h('time', { datetime: r.createdAt }, time(r.createdAt)),
    ` — ${'★'.repeat(r.rating)} `,
    h('span', { class: 'visually-hidden' }, `${r.rating}/5 `),
    `${r.authorName} (${pick(r.courseTitle)}): `,
    r.text,
  );
  if (!replyable) return li;
  const id = `reply-${r.id}`;
  const textarea = h('textarea', { id, name: 'text', rows: 2, maxlength: 2000, required: true });
  const status = h('p', { role: 'status' });
  const replyForm = h(
    'form',
    { class: 'form' },
    h('label', { for: id }, tc('dash.replyLabel')),
    textarea,
    h('button', { type: 'submit', class: 'button button--small' }, tc('dash.reply')),
    status,
  );
  replyForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void api
      .post(`/api/reviews/${encodeURIComponent(r.id)}/reply`, { text: textarea.value })
      .then(() => {
        replyForm.replaceChildren(h('p', { role: 'status' }, tc('dash.replied')));
      })
      .catch((err: unknown) => {
        status.textContent = errorMessage(err);
      });
  });
  li.append(replyForm);
  return li;
}

async function loadVoices(q: Record<string, string>): Promise<void> {
  const v = await api.get<Voices>('/api/dashboard/voices', { query: q, lang: false });
  byId('dash-ratings').replaceChildren(
    barChart({
      id: 'chart-ratings',
      title: tc('dash.ratings'),
      xLabel: tc('dash.period'),
      yLabel: tc('dash.rating'),
      labels: v.ratings.map((p) => p.period),
      series: [{ label: tc('dash.rating'), values: v.ratings.map((p) => p.averageRating), cls: 's1' }],
    }),
  );
  const none = () => h('li', {}, tc('dash.nothingYet'));
  byId('dash-unanswered').replaceChildren(...(v.unanswered.length ? v.unanswered.map((r) => reviewItem(r, true)) : [none()]));
  byId('dash-newest').replaceChildren(...(v.newest.length ? v.newest.map((r) => reviewItem(r, false)) : [none()]));
  byId<HTMLAnchorElement>('dash-reviews-csv').href = csvHref('/api/dashboard/voices', { ...q, table: 'newest' });
  byId('dash-bands').replaceChildren(
    ...v.bands.flatMap((t) =>
      t.scales.map((s) =>
        h(
          'div',
          { class: 'dash-scroll' },
          h(
            'table',
            { class: 'dash-table' },
            h('caption', {}, `${pick(t.title)} — ${pick(s.title)}`),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tc('dash.band')), h('th', { scope: 'col' }, tc('dash.results')))),
            h('tbody', {}, ...s.bands.map((b) => h('tr', {}, h('th', { scope: 'row' }, pick(b.label)), h('td', {}, String(b.count))))),
          ),
        ),
      ),
    ),
  );
}

async function loadSeams(courseId: string | undefined): Promise<void> {
  const box = byId('dash-seams');
  if (!courseId) {
    box.replaceChildren(h('p', {}, tc('dash.pickCourse')));
    return;
  }
  const s = await api.get<Seams>(`/api/dashboard/courses/${encodeURIComponent(courseId)}/seams`, { lang: false });
  const lessons = s.modules.flatMap((m) =>
    m.lessons.map((l) => ({ module: pick(m.title), lesson: pick(l.title), completed: l.completed })),
  );
  const stat = (label: string, value: string | number) => h('div', {}, h('dt', {}, label), h('dd', {}, String(value)));
  box.replaceChildren(
    h(
      'dl',
      { class: 'dash-stats' },
      stat(tc('dash.enrolled'), s.enrolled),
      stat(tc('dash.started'), s.started),
      stat(tc('dash.completed'), s.completed),
      stat(tc('dash.abandoned', { days: s.abandonDays }), s.abandoned),
      stat(
        tc('dash.medianGap'),
        s.medianSecondsBetweenLessons === null
          ? '—'
          : tc('dash.hours', { count: Math.round((s.medianSecondsBetweenLessons / 3600) * 10) / 10 }),
      ),
    ),
    barChart({
      id: 'chart-funnel',
      title: tc('dash.funnel'),
      xLabel: tc('dash.lesson'),
      yLabel: tc('dash.count'),
      labels: lessons.map((l) => `${l.module} · ${l.lesson}`),
      series: [{ label: tc('dash.completed'), values: lessons.map((l) => l.completed), cls: 's1' }],
    }),
    h('p', {}, h('a', { href: `/api/dashboard/courses/${encodeURIComponent(courseId)}/seams?format=csv`, download: true }, tc('dash.csv'))),
    h('h3', {}, tc('dash.wrongQuestions')),
    s.wrongQuestions.length
      ? h(
          'div',
          { class: 'dash-scroll' },
          h(
            'table',
            { class: 'dash-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, tc('dash.question')),
                h('th', { scope: 'col' }, tc('dash.answered')),
                h('th', { scope: 'col' }, tc('dash.wrong')),
              ),
            ),
            h(
              'tbody',
              {},
              ...s.wrongQuestions.map((q) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, `${pick(q.testTitle)}: ${pick(q.text) || q.key}`),
                  h('td', {}, String(q.answered)),
                  h('td', {}, `${q.wrong} (${Math.round((q.wrong / q.answered) * 100)} %)`),
                ),
              ),
            ),
          ),
        )
      : h('p', {}, tc('dash.nothingYet')),
    h(
      'p',
      {},
      h(
        'a',
        { href: `/api/dashboard/courses/${encodeURIComponent(courseId)}/seams?format=csv&table=questions`, download: true },
        tc('dash.csv'),
      ),
    ),
  );
}

async function loadAll(): Promise<void> {
  const q = query();
  filterError.hidden = true;
  try {
    await Promise.all([loadPulse(), loadOverview(q), loadVoices(q), loadSeams(q.courseId)]);
  } catch (err) {
    if (isApiError(err) && err.status === 400) {
      filterError.hidden = false;
      filterError.textContent = errorMessage(err);
      return;
    }
    throw err;
  }
}

{
  void (async () => {
    setState(region, 'loading');
    if (!(await requireUser(['teacher']))) return setState(region, 'forbidden');
    try {
      await loadAll();
      setState(region, 'ready');
    } catch (err) {
      setState(region, 'error', errorMessage(err));
      return;
    }
    // Live: the teacher's socket (opened by the header) carries a `pulse` event after each
    // learner write; the poll is the fallback while the socket is down.
    onLive((event) => {
      if (event.type === 'ready') byId('dash-live').hidden = false;
      if (event.type === 'pulse') void loadPulse().catch(() => {});
    });
    window.setInterval(() => void loadPulse().catch(() => {}), POLL_MS);
  })();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void loadAll().catch((err: unknown) => setState(region, 'error', errorMessage(err)));
  });
}
