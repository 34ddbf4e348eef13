// Teacher studio (`/{lang}/studio`): the teacher's courses with their publish state and a
// form to create one; `?course=<id>` opens the course editor (studio-editor.ts).
// A teacher who is not verified yet sees a waiting notice instead.
import { api, errorMessage, isApiError } from '../lib/api';
import { courseUrl, formatPrice, languageName, levelName } from '../lib/courses';
import { byId, h, setState } from '../lib/dom';
import { enhanceForm } from '../lib/forms';
import { href, tc } from '../lib/i18n-client';
import { requireUser } from '../lib/session';
import type { Page } from '../lib/types';
import {
  courseFieldMap,
  courseInput,
  courseMessages,
  pickText,
  prepareCourseForm,
  validateCourse,
  type AuthoredCourse,
} from './studio-course';
import { openEditor } from './studio-editor';
import { withFieldErrors } from './studio-errors';
import { openTests, showTestList } from './studio-tests';

const region = byId('studio');

export function editorUrl(id: string): string {
  return `${href('/studio')}?course=${encodeURIComponent(id)}`;
}

function courseItem(course: AuthoredCourse): HTMLLIElement {
  const title = pickText(course.title, course.language);
  const context = h('span', { class: 'visually-hidden' }, `: ${title.text}`);
  const badge = h(
    'span',
    { class: 'studio-badge', 'data-published': course.published },
    tc(course.published ? 'studio.published' : 'studio.draft'),
  );
  return h(
    'li',
    { 'data-course-id': course.id },
    h(
      'div',
      { class: 'item-list__main' },
      h('h3', { class: 'studio-row__title' }, h('a', { href: editorUrl(course.id), lang: title.lang }, title.text)),
      h('p', { class: 'muted' }, badge, ` · ${languageName(course.language)} · ${levelName(course.level)} · ${formatPrice(course.price)}`),
    ),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button button--secondary button--small', href: editorUrl(course.id) }, tc('common.edit'), context),
      course.published ? h('a', { href: courseUrl(course.id) }, tc('studio.viewInCatalog'), context.cloneNode(true)) : null,
    ),
  );
}

async function showList(): Promise<void> {
  setState(region, 'list');
  const form = byId<HTMLFormElement>('new-course-form');
  void prepareCourseForm(form);
  enhanceForm(form, {
    validate: validateCourse,
    submit: (values) =>
      withFieldErrors(() => api.post<AuthoredCourse>('/api/courses', courseInput(values)), courseFieldMap(form), courseMessages),
    onSuccess: (course) => location.assign(editorUrl(course.id)),
  });

  void showTestList();
  const courses = byId('studio-courses');
  setState(courses, 'loading');
  try {
    const { items } = await api.get<Page<AuthoredCourse>>('/api/teacher/courses', { lang: false });
    byId('studio-course-list').replaceChildren(...items.map(courseItem));
    setState(courses, items.length ? 'ready' : 'empty');
  } catch (error) {
    setState(courses, 'error', errorMessage(error));
  }
}

async function main(): Promise<void> {
  setState(region, 'loading');
  try {
    const user = await requireUser(['teacher', 'admin']);
    if (!user) return setState(region, 'forbidden');
    if (user.role === 'teacher' && user.teacherStatus !== 'verified') {
      return setState(region, user.teacherStatus === 'rejected' ? 'rejected' : 'pending');
    }
    const testId = new URLSearchParams(location.search).get('test');
    if (testId) return await openTests(region, testId);
    const id = new URLSearchParams(location.search).get('course');
    if (!id) return await showList();
    try {
      await openEditor(id);
      setState(region, 'editor');
    } catch (error) {
      if (isApiError(error) && error.status === 404) return setState(region, 'notfound');
      if (isApiError(error) && error.status === 403) return setState(region, 'pending');
      throw error;
    }
  } catch (error) {
    setState(region, 'error', errorMessage(error));
  }
}

void main();
