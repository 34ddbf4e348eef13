// Progress bars and dates shared by the course, lesson and my-learning pages.
// Needs the client string namespace: progress.
import { h } from './dom';
import { tc } from './i18n-client';
import type { Progress } from './learning-types';

export const PROGRESS_STRINGS = ['progress'] as const;

/** A labelled native <progress> (screen readers announce its value) plus the numbers as text. */
export function progressBar(p: Progress, label = tc('progress.label')): HTMLElement {
  return h(
    'div',
    { class: 'progress' },
    h('progress', { max: 100, value: p.percent, 'aria-label': label }),
    h(
      'span',
      { class: 'progress__text' },
      tc('progress.text', { percent: p.percent, completed: p.completed, total: p.total, count: p.total }),
    ),
  );
}

export { formatDate } from './i18n-client';
