// /{lang}/host: a teacher picks one of their published quizzes and starts a live game.
import { api, errorMessage, isApiError } from '../lib/api';
import { localText } from '../lib/assessments';
import { byId, h, setState } from '../lib/dom';
import { href, tc } from '../lib/i18n-client';
import type { Schemas } from '../lib/types';

type TeacherTest = Schemas['TeacherTestItem'];

const region = byId('host-quizzes');
const list = byId('host-quiz-list');
const seconds = byId<HTMLInputElement>('host-seconds');

async function start(testId: string, button: HTMLButtonElement) {
  button.disabled = true;
  try {
    const questionTimeSec = Number(seconds.value) || 20;
    const game = await api.post<Schemas['CreatedGame']>('/api/games', { testId, questionTimeSec });
    location.assign(href(`/host/${encodeURIComponent(game.id)}`));
  } catch (error) {
    button.disabled = false;
    setState(region, 'error', errorMessage(error));
  }
}

async function load() {
  setState(region, 'loading');
  try {
    const page = await api.get<{ items: TeacherTest[] }>('/api/teacher/tests', { query: { kind: 'quiz', limit: 100 }, lang: false });
    const quizzes = page.items.filter((t) => t.publishedVersion !== null);
    list.replaceChildren(
      ...quizzes.map((q) => {
        const title = localText(q.title);
        const button = h('button', { type: 'button', class: 'button' }, tc('game.start'));
        button.addEventListener('click', () => void start(q.id, button));
        return h('li', { class: 'item' }, h('h2', { lang: title.lang }, title.text), button);
      }),
    );
    setState(region, quizzes.length ? 'ready' : 'empty');
  } catch (error) {
    setState(region, 'error', isApiError(error) && error.status === 403 ? tc('common.forbidden') : errorMessage(error));
  }
}

void load();
