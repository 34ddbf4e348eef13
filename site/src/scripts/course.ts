import { api, errorMessage, loginUrl } from '../lib/api';
import { formatPrice, formatRating, languageName, levelName, textLang } from '../lib/courses';
import { byId, h } from '../lib/dom';
import { href, tc } from '../lib/i18n-client';
import { getMe } from '../lib/session';
import { loadShell, setPageTitle } from '../lib/shell';
import type { CourseDetail } from '../lib/types';

function text(id: string, value: string, lang?: string): void {
  const node = byId(id);
  node.textContent = value;
  if (lang) node.setAttribute('lang', lang);
}

function render(course: CourseDetail): void {
  const lang = textLang(course);
  setPageTitle(byId('course-title'), course.title, lang);
  if (lang) {
    const note = byId('course-fallback');
    note.textContent = tc('course.fallbackLang', { lang: languageName(lang) });
    note.hidden = false;
  }
  text('course-description', course.description, lang);
  text('course-teacher', course.teacher?.name ?? '');
  text('course-language', languageName(course.language));
  text('course-level', levelName(course.level));
  text('course-rating', formatRating(course.rating));
  text('course-learners', tc('course.learners', { count: course.enrollmentCount ?? 0 }));
  text('course-price', formatPrice(course.price));

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
              {},
              h('a', { href: href(`/lessons/${encodeURIComponent(lesson.id)}`), lang }, lesson.title),
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

/**
 * Enrollment (capability 4 refines this, e.g. checkout for paid courses): visitors go
 * to the login page first; signed-in users enroll through the API.
 */
function wireEnroll(courseId: string): void {
  const button = byId<HTMLButtonElement>('course-enroll');
  const status = byId('course-enroll-status');
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-disabled') === 'true') return;
    if (!(await getMe())) {
      location.assign(loginUrl());
      return;
    }
    button.setAttribute('aria-disabled', 'true');
    status.textContent = '';
    try {
      await api.post(`/api/courses/${encodeURIComponent(courseId)}/enrollment`);
      status.className = 'form-status';
      status.textContent = tc('course.enrolled');
      const goLearn = byId('course-go-learn');
      goLearn.hidden = false;
      button.hidden = true;
      goLearn.focus();
    } catch (error) {
      status.className = 'field-error';
      status.textContent = errorMessage(error);
    } finally {
      button.removeAttribute('aria-disabled');
    }
  });
}

void loadShell<CourseDetail>({
  section: 'courses',
  region: byId('course'),
  load: (id) => api.get<CourseDetail>(`/api/courses/${encodeURIComponent(id)}`),
  render: (course, id) => {
    render(course);
    wireEnroll(id);
  },
});
