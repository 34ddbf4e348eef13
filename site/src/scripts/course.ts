import { durationMessage, totalMinutes } from '../i18n/format';
import { api, errorMessage, isApiError, loginUrl } from '../lib/api';
import { coverSrc, formatPrice, formatRating, languageName, levelName, textLang } from '../lib/courses';
import { byId, h, nodes } from '../lib/dom-nodes';
import { enhanceForm, showFormStatus } from '../lib/forms';
import { href, tc } from '../lib/i18n-client';
import type { MyCourse, Review } from '../lib/learning-types';
import { formatDate, progressBar } from '../lib/progress';
import { onLive } from '../lib/live';
import { getMe } from '../lib/session';
import { returnedFromCheckout, startCheckout, type CheckoutReturn } from '../lib/payments';
import { loadShell, setPageTitle } from '../lib/shell';
import type { CourseDetail, Page } from '../lib/types';

function text(id: string, value: string, lang?: string): void {
  const node = byId(id);
  node.textContent = value;
  if (lang) node.setAttribute('lang', lang);
}

const lessonUrl = (id: string) => href(`/lessons/${encodeURIComponent(id)}`);

function render(course: CourseDetail): void {
  const lang = textLang(course);
  setPageTitle(byId('course-title'), course.title, lang);
  if (lang) {
    const note = byId('course-fallback');
    note.textContent = tc('course.fallbackLang', { lang: languageName(lang) });
    note.hidden = false;
  }
  text('course-description', course.description, lang);
  const cover = byId<HTMLImageElement>('course-cover');
  cover.src = coverSrc(course);
  cover.hidden = false;
  // The teacher's name links to their public profile.
  byId('course-teacher').replaceChildren(
    course.teacher
      ? h('a', { href: href(`/teachers/${encodeURIComponent(course.teacher.id)}`), id: 'course-teacher-link' }, course.teacher.name)
      : '',
  );
  text('course-language', languageName(course.language));
  text('course-level', levelName(course.level));
  text('course-rating', formatRating(course.rating));
  const { key, vars } = durationMessage(totalMinutes(course.modules ?? []));
  text('course-duration', tc(key, vars));
  text('course-learners', tc('course.learners', { count: course.enrollmentCount ?? 0 }));
  text('course-price', formatPrice(course.price));

  const outcomes = course.outcomes ?? [];
  byId('course-outcomes').replaceChildren(...outcomes.map((o) => h('li', { lang }, o)));
  byId('course-outcomes-section').hidden = outcomes.length === 0;

  const modules = course.modules ?? [];
  byId('course-curriculum').replaceChildren(
    ...modules.map((module) =>
      h(
        'li',
        {},
        h('h3', { lang }, module.title),
        h(
          'ol',
          {},
          ...module.lessons.map((lesson) =>
            h(
              'li',
              { 'data-lesson': lesson.id },
              h('a', { href: lessonUrl(lesson.id), lang }, lesson.title),
              lesson.preview ? ' ' : null,
              lesson.preview ? h('span', { class: 'tag' }, tc('course.preview')) : null,
            ),
          ),
        ),
      ),
    ),
  );
  byId('course-curriculum-empty').hidden = modules.length > 0;
}

// ---------------------------------------------------------------- enrollment, progress, favorite

interface PageState {
  id: string;
  course: CourseDetail;
  signedIn: boolean;
  me: MyCourse | null;
}

function status(message: string, isError = false): void {
  const node = byId('course-enroll-status');
  node.className = isError ? 'field-error' : 'form-status';
  node.textContent = message;
}

async function loadMine(state: PageState): Promise<void> {
  state.me = state.signedIn ? await api.get<MyCourse>(`/api/me/courses/${encodeURIComponent(state.id)}`) : null;
}

function renderMine(state: PageState): void {
  const me = state.me;
  const enrolled = Boolean(me?.enrolled);
  // A paid course is bought, not enrolled in: the button says so and shows the price.
  if (state.course.price && state.course.price.amount > 0)
    byId('course-enroll').textContent = tc('pay.buy', { price: formatPrice(state.course.price) });
  byId('course-enroll').hidden = enrolled;
  byId('course-leave').hidden = !enrolled;
  byId('course-go-learn').hidden = !enrolled;
  const progress = byId('course-progress');
  progress.hidden = !enrolled;
  const cont = byId<HTMLAnchorElement>('course-continue');
  cont.hidden = true;
  if (me && enrolled && me.progress) {
    const children: Node[] = [progressBar(me.progress)];
    if (me.status === 'completed')
      children.unshift(
        h(
          'p',
          { class: 'done-mark' },
          `✓ ${tc('course.completed')}: ${formatDate(me.completedAt)} · `,
          h('a', { href: href('/certificates'), id: 'course-certificate' }, tc('course.certificate')),
        ),
      );
    progress.replaceChildren(...children);
    const first = state.course.modules?.[0]?.lessons[0];
    const target = me.nextLesson ?? (me.progress.completed === 0 && first ? { id: first.id, title: first.title } : null);
    if (target) {
      cont.href = lessonUrl(target.id);
      cont.textContent = me.progress.completed === 0 ? tc('course.start') : tc('course.continue', { title: target.title });
      cont.hidden = false;
    }
  }
  // Completed lessons are marked in the curriculum.
  const done = new Set(me?.completedLessonIds ?? []);
  for (const item of document.querySelectorAll<HTMLElement>('#course-curriculum [data-lesson]')) {
    item.querySelector('.done-mark')?.remove();
    if (done.has(item.dataset.lesson ?? '')) item.append(' ', h('span', { class: 'done-mark' }, `✓ ${tc('course.lessonDone')}`));
  }
  const fav = byId<HTMLButtonElement>('course-favorite');
  fav.hidden = !state.signedIn;
  fav.setAttribute('aria-pressed', String(Boolean(me?.favorite)));
  fav.textContent = me?.favorite ? tc('course.favoriteRemove') : tc('course.favoriteAdd');
  renderReviewForm(state);
}

/** Runs `action` with the button marked busy; refreshes the personal part afterwards. */
async function act(state: PageState, button: HTMLButtonElement, action: () => Promise<string | void>): Promise<void> {
  if (button.getAttribute('aria-disabled') === 'true') return;
  button.setAttribute('aria-disabled', 'true');
  status('');
  try {
    const message = await action();
    await loadMine(state);
    renderMine(state);
    if (message) status(message);
  } catch (error) {
    if (isApiError(error) && error.status === 402) status(tc('course.enrollPaid'), true);
    else if (!(isApiError(error) && error.notified)) status(errorMessage(error), true);
  } finally {
    button.removeAttribute('aria-disabled');
  }
}

/** The page (and its edge-cached copy) showed the count before this learner joined or left. */
function learnerCount(state: PageState, delta: number): void {
  state.course.enrollmentCount = Math.max(0, (state.course.enrollmentCount ?? 0) + delta);
  text('course-learners', tc('course.learners', { count: state.course.enrollmentCount }));
}

function wireActions(state: PageState): void {
  const enroll = byId<HTMLButtonElement>('course-enroll');
  enroll.addEventListener('click', () => {
    if (!state.signedIn) return location.assign(loginUrl());
    const price = state.course.price;
    if (price && price.amount > 0) {
      // Paid: off to the provider's hosted checkout page; it sends the buyer back here.
      void act(state, enroll, async () => {
        status(tc('pay.starting'));
        await startCheckout({ kind: 'course', id: state.id }, price);
      });
      return;
    }
    void act(state, enroll, async () => {
      const wasEnrolled = Boolean(state.me?.enrolled);
      await api.post(`/api/courses/${encodeURIComponent(state.id)}/enrollment`);
      if (!wasEnrolled) learnerCount(state, +1);
      return tc('course.enrolled');
    }).then(() => byId('course-continue').focus());
  });
  const leave = byId<HTMLButtonElement>('course-leave');
  leave.addEventListener('click', () => {
    if (!confirm(tc('course.leaveConfirm'))) return;
    void act(state, leave, async () => {
      await api.delete(`/api/courses/${encodeURIComponent(state.id)}/enrollment`);
      learnerCount(state, -1);
      return tc('course.left');
    });
  });
  const fav = byId<HTMLButtonElement>('course-favorite');
  fav.addEventListener('click', () => {
    const on = fav.getAttribute('aria-pressed') !== 'true';
    void act(state, fav, async () => {
      const path = `/api/me/favorites/${encodeURIComponent(state.id)}`;
      if (on) await api.put(path);
      else await api.delete(path);
      return on ? tc('course.favoriteAdded') : tc('course.favoriteRemoved');
    });
  });
}

/**
 * Back from the hosted checkout: "confirming payment…" until the webhook has enrolled the
 * buyer — pushed live over the user socket, with a slow poll in case the socket is down.
 */
async function settleCheckout(state: PageState, back: CheckoutReturn): Promise<void> {
  if (back.result === 'declined') return status(tc('pay.declined'), true);
  if (back.result === 'canceled') return status(tc('pay.canceled'));
  if (state.me?.enrolled) return status(tc('pay.succeeded'));
  status(tc('pay.confirming'));
  let done = false;
  const check = async () => {
    if (done) return;
    await loadMine(state).catch(() => undefined);
    if (state.me?.enrolled) {
      done = true;
      renderMine(state);
      status(tc('pay.succeeded'));
      return;
    }
    const payment = await back.payment().catch(() => null);
    if (payment?.status === 'failed') {
      done = true;
      status(tc('pay.declined'), true);
    }
  };
  onLive((event) => {
    if (event.type === 'notification' && (event.notification.kind === 'payment' || event.notification.kind === 'enrollment')) void check();
  });
  for (let i = 0; i < 60 && !done; i++) {
    await new Promise((r) => setTimeout(r, 3_000));
    await check();
  }
}

// ---------------------------------------------------------------- reviews

const stars = (n: number) =>
  h('span', { class: 'review__stars', 'aria-label': tc('reviews.ratedAs', { rating: n }) }, '★'.repeat(n) + '☆'.repeat(5 - n));

function reviewItem(r: Review, state: PageState): HTMLLIElement {
  const li = h(
    'li',
    {},
    h(
      'p',
      {},
      stars(r.rating),
      ' ',
      h('strong', {}, r.author.name),
      ' · ',
      h('time', { datetime: r.createdAt, class: 'muted' }, formatDate(r.createdAt)),
    ),
    r.text ? h('p', {}, r.text) : null,
    r.reply
      ? h('div', { class: 'review__reply' }, h('p', {}, h('strong', {}, tc('reviews.teacherReply'))), h('p', {}, r.reply.text))
      : null,
  );
  if (state.me?.teacher && !r.reply) li.append(replyForm(r, li, state));
  return li;
}

function replyForm(r: Review, li: HTMLLIElement, state: PageState): HTMLFormElement {
  const id = `reply-${r.id}`;
  const form = h(
    'form',
    { class: 'form reply-form' },
    h('div', { class: 'form-error', 'data-form-error': '', tabindex: -1, hidden: true }),
    h('p', { class: 'form-status', 'data-form-status': '', role: 'status' }),
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, tc('reviews.replyLabel')),
      h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
      h('textarea', { id, name: 'text', maxlength: 2000, rows: 3, required: true }),
    ),
    h('button', { type: 'submit', class: 'button button--small', 'data-needs-js': '' }, tc('reviews.replySubmit')),
  );
  enhanceForm(form, {
    submit: (values) => api.post<Review>(`/api/reviews/${encodeURIComponent(r.id)}/reply`, { text: values.text }),
    onSuccess: (updated) => {
      const fresh = reviewItem(updated, state);
      li.replaceWith(fresh);
      byId('reviews-status').textContent = tc('reviews.replied');
    },
  });
  return form;
}

let reviewCursor: string | null = null;

async function loadReviews(state: PageState, more = false): Promise<void> {
  const list = byId('review-list');
  try {
    const page = await api.get<Page<Review> & { rating: CourseDetail['rating'] }>(`/api/courses/${encodeURIComponent(state.id)}/reviews`, {
      query: { limit: 10, cursor: more ? reviewCursor : undefined },
      lang: false,
    });
    reviewCursor = page.nextCursor;
    const items = page.items.map((r) => reviewItem(r, state));
    if (more) list.append(...items);
    else list.replaceChildren(...items);
    byId('reviews-summary').textContent = formatRating(page.rating);
    text('course-rating', formatRating(page.rating));
    byId('reviews-empty').hidden = list.childElementCount > 0;
    byId('reviews-more').hidden = !page.nextCursor;
  } catch (error) {
    byId('reviews-status').textContent = errorMessage(error);
  }
}

let editing = false;

function renderReviewForm(state: PageState): void {
  const me = state.me;
  const form = byId<HTMLFormElement>('review-form');
  const note = byId('review-note');
  const mine = byId('my-review');
  const own = me?.review ?? null;
  mine.hidden = !own || editing;
  form.hidden = !(me?.enrolled && !me.teacher && (!own || editing));
  byId('review-form-title').textContent = own ? tc('reviews.yours') : tc('reviews.write');
  form.querySelector('button[type="submit"]')!.textContent = own ? tc('reviews.save') : tc('reviews.submit');
  note.hidden = Boolean(me?.enrolled || me?.teacher);
  note.textContent = state.signedIn ? tc('reviews.enrollToReview') : tc('reviews.loginToReview');
  if (own && !editing) {
    const edit = h('button', { type: 'button', class: 'button button--secondary button--small' }, tc('common.edit'));
    const del = h('button', { type: 'button', class: 'button button--danger button--small' }, tc('common.delete'));
    edit.addEventListener('click', () => {
      editing = true;
      const radio = form.querySelector<HTMLInputElement>(`input[name="rating"][value="${own.rating}"]`);
      if (radio) radio.checked = true;
      byId<HTMLTextAreaElement>('review-text').value = own.text;
      renderReviewForm(state);
      radio?.focus();
    });
    del.addEventListener('click', async () => {
      if (!confirm(tc('reviews.deleteConfirm'))) return;
      try {
        await api.delete(`/api/reviews/${encodeURIComponent(own.id)}`);
        await loadMine(state);
        renderMine(state);
        await loadReviews(state);
        byId('reviews-status').textContent = tc('reviews.deleted');
      } catch (error) {
        byId('reviews-status').textContent = errorMessage(error);
      }
    });
    mine.replaceChildren(
      ...nodes(
        h('h3', {}, tc('reviews.yours')),
        h('p', {}, stars(own.rating)),
        own.text ? h('p', {}, own.text) : null,
        own.hidden ? h('p', { class: 'state' }, tc('reviews.hiddenNote')) : null,
        h('div', { class: 'actions' }, edit, del),
      ),
    );
  }
}

function wireReviewForm(state: PageState): void {
  const form = byId<HTMLFormElement>('review-form');
  enhanceForm(form, {
    submit: (values) => {
      const body = { rating: Number(values.rating), text: values.text ?? '' };
      const own = state.me?.review;
      return own
        ? api.patch(`/api/reviews/${encodeURIComponent(own.id)}`, body)
        : api.post(`/api/courses/${encodeURIComponent(state.id)}/reviews`, body);
    },
    onSuccess: async () => {
      editing = false;
      form.reset();
      await loadMine(state);
      renderMine(state);
      await loadReviews(state);
      showFormStatus(form, '');
      byId('reviews-status').textContent = tc('reviews.published');
    },
  });
  byId('reviews-more').addEventListener('click', () => void loadReviews(state, true));
}

void loadShell<CourseDetail>({
  section: 'courses',
  region: byId('course'),
  load: (id) => api.get<CourseDetail>(`/api/courses/${encodeURIComponent(id)}`),
  render: (course, id) => {
    render(course);
    const state: PageState = { id, course, signedIn: false, me: null };
    wireActions(state);
    wireReviewForm(state);
    void (async () => {
      state.signedIn = Boolean(await getMe().catch(() => null));
      try {
        await loadMine(state);
      } catch (error) {
        if (!(isApiError(error) && error.notified)) status(errorMessage(error), true);
      }
      renderMine(state);
      const back = returnedFromCheckout();
      if (back && state.signedIn) void settleCheckout(state, back);
      await loadReviews(state);
    })();
  },
});
