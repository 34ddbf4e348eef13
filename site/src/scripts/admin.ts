// Administration (`/{lang}/admin`): the teacher verification queue. Pending teachers can be
// verified or rejected with a reason; verified and rejected ones can be reviewed again.
// Below it, review moderation: the newest reviews of every course, each hidden or shown in place.
import { api, errorMessage, isApiError } from '../lib/api';
import { announce, byId, h, setState } from '../lib/dom';
import { clearFormErrors, enhanceForm } from '../lib/forms';
import { formatDate, href, tc } from '../lib/i18n-client';
import { showNotice } from '../lib/notice';
import { requireUser } from '../lib/session';
import { withFieldErrors } from './studio-errors';
import type { ApiQuery, ApiResponse, Page, Schemas } from '../lib/types';

type Status = NonNullable<ApiQuery<'/api/admin/teachers'>['status']>;

type TeacherReview = ApiResponse<'/api/admin/teachers'>['items'][number];

const page = byId('admin');
const region = byId('teachers');
const list = byId<HTMLUListElement>('teacher-list');
const more = byId<HTMLButtonElement>('teachers-more');
const statusSelect = byId<HTMLSelectElement>('teachers-status');
const dialog = byId<HTMLDialogElement>('reject-dialog');
const rejectForm = byId<HTMLFormElement>('reject-form');

let status: Status = 'pending';
let cursor: string | null = null;
let shown: TeacherReview[] = [];
let rejecting: TeacherReview | null = null;
let loadToken = 0;

const enc = encodeURIComponent;

function say(message: string): void {
  const line = region.querySelector<HTMLElement>('[data-announce]');
  if (!line) return;
  line.textContent = '';
  window.setTimeout(() => {
    line.textContent = message;
  }, 50);
}

const date = (iso: string | null | undefined): string => formatDate(iso);

function teacherItem(teacher: TeacherReview): HTMLLIElement {
  const context = h('span', { class: 'visually-hidden' }, `: ${teacher.name}`);
  const verify = h('button', { type: 'button', class: 'button button--small', 'data-action': 'verify' }, tc('admin.verify'), context);
  const reject = h(
    'button',
    { type: 'button', class: 'button button--danger button--small', 'data-action': 'reject' },
    tc('admin.reject'),
    context.cloneNode(true),
  );
  verify.addEventListener('click', () => void decide(teacher, verify));
  reject.addEventListener('click', () => openReject(teacher));
  return h(
    'li',
    { 'data-teacher-id': teacher.id },
    h(
      'div',
      { class: 'item-list__main' },
      h('p', {}, h('strong', {}, teacher.name)),
      h('p', { class: 'muted' }, teacher.email),
      h('p', { class: 'muted' }, tc('admin.applied', { date: date(teacher.createdAt) })),
      teacher.reviewedAt ? h('p', { class: 'muted' }, tc('admin.reviewed', { date: date(teacher.reviewedAt) })) : null,
      teacher.reviewNote ? h('p', { class: 'admin-note' }, tc('admin.note', { note: teacher.reviewNote })) : null,
    ),
    h('div', { class: 'actions' }, status !== 'verified' ? verify : null, status !== 'rejected' ? reject : null),
  );
}

function render(): void {
  list.replaceChildren(...shown.map(teacherItem));
  more.hidden = !cursor;
  byId('teachers-empty').textContent = tc(status === 'pending' ? 'admin.noPending' : 'admin.noneWithStatus');
  setState(region, shown.length ? 'ready' : 'empty');
}

async function load(append: boolean): Promise<void> {
  const token = ++loadToken;
  if (!append) setState(region, 'loading');
  try {
    const res = await api.get<Page<TeacherReview>>('/api/admin/teachers', {
      query: { status, cursor: append ? cursor : null, limit: 20 },
      lang: false,
    });
    if (token !== loadToken) return;
    shown = append ? [...shown, ...res.items] : res.items;
    cursor = res.nextCursor;
    render();
    if (append) say(tc('admin.loaded', { count: shown.length }));
  } catch (error) {
    if (token === loadToken) setState(region, 'error', errorMessage(error));
  }
}

/** The teacher left the list: keep the keyboard user's place (next item, else the heading). */
function removeFromList(teacher: TeacherReview): void {
  const index = shown.findIndex((t) => t.id === teacher.id);
  shown = shown.filter((t) => t.id !== teacher.id);
  render();
  const next = list.children[Math.min(index, list.children.length - 1)]?.querySelector<HTMLElement>('button');
  (next ?? byId('teachers-title')).focus();
}

async function decide(teacher: TeacherReview, button: HTMLButtonElement): Promise<void> {
  if (button.getAttribute('aria-disabled') === 'true') return;
  button.setAttribute('aria-disabled', 'true');
  try {
    await api.post(`/api/admin/teachers/${enc(teacher.id)}/verify`, {});
    removeFromList(teacher);
    say(tc('admin.verified', { name: teacher.name }));
  } catch (error) {
    button.setAttribute('aria-disabled', 'false');
    say(errorMessage(error));
  }
}

function openReject(teacher: TeacherReview): void {
  rejecting = teacher;
  clearFormErrors(rejectForm);
  rejectForm.reset();
  byId('reject-dialog-who').textContent = `${teacher.name} · ${teacher.email}`;
  dialog.showModal();
  byId<HTMLTextAreaElement>('reject-reason').focus();
}

// ---------------------------------------------------------------- review moderation

type ReviewStatus = NonNullable<ApiQuery<'/api/admin/reviews'>['status']>;

type ModeratedReview = Schemas['ModerationReview'];

const reviewsRegion = byId('reviews');
const reviewList = byId<HTMLUListElement>('review-list');
const reviewsMore = byId<HTMLButtonElement>('reviews-more');
const reviewsSelect = byId<HTMLSelectElement>('reviews-status');

let reviewStatus: ReviewStatus = 'all';
let reviewCursor: string | null = null;
let reviewCount = 0;
let reviewLoadToken = 0;

const stars = (n: number) =>
  h('span', { class: 'review__stars', 'aria-label': tc('reviews.ratedAs', { rating: n }) }, '★'.repeat(n) + '☆'.repeat(5 - n));

function reviewItem(r: ModeratedReview): HTMLLIElement {
  const toggle = h(
    'button',
    {
      type: 'button',
      class: r.hidden ? 'button button--small' : 'button button--danger button--small',
      'data-action': r.hidden ? 'unhide' : 'hide',
    },
    tc(r.hidden ? 'admin.unhide' : 'admin.hide'),
    h('span', { class: 'visually-hidden' }, `: ${r.author.name} — ${r.courseTitle}`),
  );
  const li = h(
    'li',
    { 'data-review-id': r.id, 'data-hidden': String(r.hidden) },
    h(
      'div',
      { class: 'item-list__main' },
      h('p', {}, h('a', { href: href(`/courses/${enc(r.courseId)}`) }, r.courseTitle)),
      h(
        'p',
        {},
        stars(r.rating),
        ' ',
        h('strong', {}, r.author.name),
        ' · ',
        h('time', { datetime: r.createdAt, class: 'muted' }, date(r.createdAt)),
        r.hidden ? ' ' : null,
        r.hidden ? h('span', { class: 'studio-badge' }, tc('admin.reviewHidden')) : null,
      ),
      r.text ? h('p', { class: 'admin-note' }, r.text) : null,
      r.reply
        ? h(
            'div',
            { class: 'review__reply' },
            h('p', {}, h('strong', {}, tc('reviews.teacherReply'))),
            h('p', { class: 'admin-note' }, r.reply.text),
          )
        : null,
    ),
    h('div', { class: 'actions' }, toggle),
  );
  toggle.addEventListener('click', () => void setHidden(r, li, toggle));
  return li;
}

async function loadReviews(append: boolean): Promise<void> {
  const token = ++reviewLoadToken;
  if (!append) setState(reviewsRegion, 'loading');
  try {
    const res = await api.get<Page<ModeratedReview>>('/api/admin/reviews', {
      query: { status: reviewStatus, cursor: append ? reviewCursor : null, limit: 20 },
    });
    if (token !== reviewLoadToken) return;
    const items = res.items.map(reviewItem);
    if (append) reviewList.append(...items);
    else reviewList.replaceChildren(...items);
    reviewCount = (append ? reviewCount : 0) + res.items.length;
    reviewCursor = res.nextCursor;
    reviewsMore.hidden = !reviewCursor;
    setState(reviewsRegion, reviewCount ? 'ready' : 'empty');
    if (append) announce(reviewsRegion, tc('admin.reviewsLoaded', { count: reviewCount }));
  } catch (error) {
    if (token !== reviewLoadToken) return;
    if (!append) setState(reviewsRegion, 'error', errorMessage(error));
    else if (!(isApiError(error) && error.notified)) showNotice(errorMessage(error));
  }
}

/** Hides or shows the review and redraws its row in place, focus back on its button. */
async function setHidden(r: ModeratedReview, li: HTMLLIElement, button: HTMLButtonElement): Promise<void> {
  if (button.getAttribute('aria-disabled') === 'true') return;
  button.setAttribute('aria-disabled', 'true');
  const hide = !r.hidden;
  try {
    const res = await api.post<ApiResponse<'/api/admin/reviews/{id}/hide', 'post'>>(
      `/api/admin/reviews/${enc(r.id)}/${hide ? 'hide' : 'unhide'}`,
    );
    const fresh = reviewItem({ ...r, hidden: res.review.hidden });
    li.replaceWith(fresh);
    fresh.querySelector<HTMLButtonElement>('[data-action]')?.focus();
    announce(reviewsRegion, tc(hide ? 'admin.hiddenDone' : 'admin.shownDone', { name: r.author.name }));
  } catch (error) {
    button.setAttribute('aria-disabled', 'false');
    if (!(isApiError(error) && error.notified)) showNotice(errorMessage(error));
  }
}

async function main(): Promise<void> {
  setState(page, 'loading');
  try {
    const user = await requireUser(['admin']);
    if (!user) return setState(page, 'forbidden');
  } catch (error) {
    return setState(page, 'error', errorMessage(error));
  }
  setState(page, 'ready');

  statusSelect.addEventListener('change', () => {
    status = statusSelect.value as Status;
    cursor = null;
    void load(false);
  });
  more.addEventListener('click', () => void load(true));
  reviewsSelect.addEventListener('change', () => {
    reviewStatus = reviewsSelect.value as ReviewStatus;
    reviewCursor = null;
    void loadReviews(false);
  });
  reviewsMore.addEventListener('click', () => void loadReviews(true));

  dialog.querySelector('[data-dialog-close]')?.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    // Cancelled: back to the teacher's reject button.
    if (rejecting) list.querySelector<HTMLElement>(`[data-teacher-id="${CSS.escape(rejecting.id)}"] [data-action="reject"]`)?.focus();
  });
  enhanceForm(rejectForm, {
    submit: ({ reason = '' }) =>
      withFieldErrors(
        () => api.post(`/api/admin/teachers/${enc(rejecting!.id)}/reject`, { reason }),
        (path) => (path === 'reason' ? 'reason' : null),
      ),
    onSuccess: () => {
      const teacher = rejecting!;
      rejecting = null;
      dialog.close();
      removeFromList(teacher);
      say(tc('admin.rejectedDone', { name: teacher.name }));
    },
  });

  await Promise.all([load(false), loadReviews(false)]);
}

void main();
