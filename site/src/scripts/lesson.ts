// Lesson page: the content (sanitized HTML from the API), the video, and for enrolled
// learners "mark complete" with the course progress and the next lesson in the curriculum.
import { api, errorMessage, isApiError } from '../lib/api';
import { byId, h, nodes, routeId, setState } from '../lib/dom-nodes';
import { href, tc } from '../lib/i18n-client';
import type { CourseProgress, MyCourse } from '../lib/learning-types';
import { progressBar } from '../lib/progress';
import { getMe } from '../lib/session';
import { setPageTitle } from '../lib/shell';
import type { ApiResponse, Schemas } from '../lib/types';

type Lesson = Schemas['Lesson'];
type Curriculum = ApiResponse<'/api/courses/{id}/curriculum'>;

const region = byId('record');
const courseUrl = (id: string) => href(`/courses/${encodeURIComponent(id)}`);
const lessonUrl = (id: string) => href(`/lessons/${encodeURIComponent(id)}`);

function renderLesson(lesson: Lesson): void {
  setPageTitle(byId('record-title'), lesson.title, lesson.titleLang);
  byId<HTMLAnchorElement>('lesson-course-link').href = courseUrl(lesson.courseId);
  // The API renders lesson Markdown to HTML and sanitizes it (tags, attributes and URL
  // schemes are allow-listed server-side); it is the one API value set as HTML.
  byId('lesson-body').innerHTML = lesson.html;
  if (lesson.videoEmbedUrl) {
    const video = byId('lesson-video');
    video.replaceChildren(
      h('iframe', {
        src: lesson.videoEmbedUrl,
        title: tc('lesson.video'),
        loading: 'lazy',
        allow: 'fullscreen; picture-in-picture',
        referrerpolicy: 'strict-origin-when-cross-origin',
        sandbox: 'allow-scripts allow-same-origin allow-presentation',
      }),
    );
    video.hidden = false;
  }
}

/** The lesson after this one in curriculum order (the "next lesson" link). */
function following(curriculum: Curriculum | null, lessonId: string): { id: string; title: string } | null {
  const all = curriculum?.modules.flatMap((m) => m.lessons) ?? [];
  const at = all.findIndex((l) => l.id === lessonId);
  return at >= 0 ? (all[at + 1] ?? null) : null;
}

function renderProgress(lesson: Lesson, progress: Omit<CourseProgress, 'enrolledAt'>, next: { id: string; title: string } | null): void {
  const done = progress.completedLessonIds.includes(lesson.id);
  const button = byId<HTMLButtonElement>('lesson-complete');
  button.hidden = false;
  button.setAttribute('aria-pressed', String(done));
  button.textContent = done ? tc('lesson.markIncomplete') : tc('lesson.markComplete');
  const box = byId('lesson-progress');
  box.replaceChildren(
    ...nodes(
      progressBar(progress.progress),
      done ? h('p', { class: 'done-mark' }, `✓ ${tc('lesson.done')}`) : null,
      progress.status === 'completed' ? h('p', {}, tc('lesson.allDone')) : null,
    ),
  );
  const link = byId<HTMLAnchorElement>('lesson-next');
  if (next) {
    link.href = lessonUrl(next.id);
    link.textContent = tc('lesson.next', { title: next.title });
  } else {
    link.href = courseUrl(lesson.courseId);
    link.textContent = tc('lesson.backToCourse');
  }
  link.hidden = false;
}

function wireCompletion(lesson: Lesson, next: { id: string; title: string } | null): void {
  const button = byId<HTMLButtonElement>('lesson-complete');
  const status = byId('lesson-status');
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-disabled') === 'true') return;
    const done = button.getAttribute('aria-pressed') === 'true';
    button.setAttribute('aria-disabled', 'true');
    status.textContent = '';
    try {
      const path = `/api/lessons/${encodeURIComponent(lesson.id)}/completion`;
      const progress = done
        ? await api.delete<CourseProgress>(path, { lang: true })
        : await api.post<CourseProgress>(path, undefined, { lang: true });
      renderProgress(lesson, progress, next);
      status.textContent = progress.courseCompleted ? tc('lesson.courseCompleted') : done ? '' : tc('lesson.done');
    } catch (error) {
      if (!(isApiError(error) && error.notified)) status.textContent = errorMessage(error);
    } finally {
      button.removeAttribute('aria-disabled');
    }
  });
}

async function main(): Promise<void> {
  const id = routeId('lessons');
  if (!id) return setState(region, 'notfound');
  setState(region, 'loading');
  let lesson: Lesson;
  try {
    lesson = await api.get<Lesson>(`/api/lessons/${encodeURIComponent(id)}`);
  } catch (error) {
    if (isApiError(error) && error.status === 404) return setState(region, 'notfound');
    const courseId = isApiError(error) && error.status === 403 ? (error.details as { courseId?: string } | undefined)?.courseId : undefined;
    if (courseId) {
      byId<HTMLAnchorElement>('lesson-locked-link').href = courseUrl(courseId);
      return setState(region, 'locked');
    }
    return setState(region, 'error', errorMessage(error));
  }
  renderLesson(lesson);
  setState(region, 'ready');

  const signedIn = Boolean(await getMe().catch(() => null));
  const [curriculum, mine] = await Promise.all([
    api.get<Curriculum>(`/api/courses/${encodeURIComponent(lesson.courseId)}/curriculum`).catch(() => null),
    // The personal state answers 200 whether or not the learner is enrolled (no 403 to handle).
    signedIn ? api.get<MyCourse>(`/api/me/courses/${encodeURIComponent(lesson.courseId)}`).catch(() => null) : null,
  ]);
  const next = following(curriculum, lesson.id);
  if (mine?.enrolled && mine.progress && mine.status) {
    renderProgress(
      lesson,
      {
        courseId: lesson.courseId,
        status: mine.status,
        completedAt: mine.completedAt,
        progress: mine.progress,
        nextLesson: mine.nextLesson,
        completedLessonIds: mine.completedLessonIds,
      },
      next,
    );
    wireCompletion(lesson, next);
    return;
  }
  // Not enrolled (a free preview) or not signed in: offer the course page.
  byId<HTMLAnchorElement>('lesson-track-link').href = courseUrl(lesson.courseId);
  byId('lesson-track-note').hidden = false;
  if (next) {
    const link = byId<HTMLAnchorElement>('lesson-next');
    link.href = lessonUrl(next.id);
    link.textContent = tc('lesson.next', { title: next.title });
    link.hidden = false;
  }
}

void main();
