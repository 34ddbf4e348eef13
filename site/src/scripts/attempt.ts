// Taking a test (`/{lang}/attempts/:id`). The questions come from GET /api/attempts/:id with
// the answers saved so far, so a refresh resumes exactly. Every answer is saved as it
// changes (PUT, idempotent; text debounced), one request per question at a time, retried
// with backoff when the network or server fails. The time left is counted from the
// server's deadline and clock (performance.now() from then on), so a wrong or changed
// client clock does not matter; at zero the attempt is submitted and the result shown.
import { api, errorMessage, isApiError } from '../lib/api';
import { localText, resultUrl, type Answer, type Attempt, type TakerQuestion } from '../lib/assessments';
import { byId, h, routeId, setState } from '../lib/dom';
import { tc } from '../lib/i18n-client';
import { setPageTitle } from '../lib/shell';
import type { Child } from '../lib/types';

const TEXT_DEBOUNCE_MS = 800;
const RETRY_MAX_MS = 15_000;
const WARN_AT_MIN = [5, 1];
const FLUSH_WAIT_MS = 15_000;

const region = byId('record');
const form = byId<HTMLFormElement>('attempt-form');
const list = byId<HTMLOListElement>('attempt-questions');
const saveState = byId('attempt-save-state');
const progress = byId('attempt-progress');
const timerBox = byId('attempt-timer-box');
const timer = byId('attempt-timer');
const announcer = byId('attempt-announce');
const dialog = byId<HTMLDialogElement>('attempt-confirm');
const confirmText = byId('attempt-confirm-text');
const confirmError = byId('attempt-confirm-error');
const confirmButton = byId<HTMLButtonElement>('attempt-confirm-submit');

let attempt: Attempt;
/** Set once the attempt is over here (submitted, timed out, closed elsewhere): no more saves. */
let finished = false;
let leaving = false;

type SaveStatus = 'idle' | 'saving' | 'saved' | 'retrying' | 'failed';

/** Saves one question's answer: the latest value wins, one request at a time. */
class Saver {
  status: SaveStatus = 'idle';
  error = '';
  private pending: Answer | null = null;
  private saved: string | null = null;
  private inFlight = false;
  private debounce = 0;
  private retry = 0;
  private failures = 0;
  private waiters: (() => void)[] = [];

  constructor(
    readonly question: TakerQuestion,
    private readonly statusLine: HTMLElement,
  ) {}

  restore(answer: Answer): void {
    this.saved = JSON.stringify(answer);
    this.status = 'saved';
  }

  set(answer: Answer, delayMs = 0): void {
    if (finished) return;
    this.pending = answer;
    window.clearTimeout(this.debounce);
    if (delayMs) this.debounce = window.setTimeout(() => void this.send(), delayMs);
    else void this.send();
  }

  /** Sends what is waiting now; resolves when this question has settled (saved or failed). */
  flush(): Promise<void> {
    if (this.debounce) {
      window.clearTimeout(this.debounce);
      this.debounce = 0;
    }
    if (this.status === 'retrying') {
      window.clearTimeout(this.retry);
      this.failures = 0;
    }
    void this.send();
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get busy(): boolean {
    return this.inFlight || this.pending !== null || this.status === 'retrying';
  }

  private settle(): void {
    if (this.busy) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private async send(): Promise<void> {
    this.debounce = 0;
    if (this.inFlight || finished) return;
    const body = this.pending;
    if (body === null) return this.settle();
    this.pending = null;
    if (JSON.stringify(body) === this.saved) {
      this.show('saved');
      return this.settle();
    }
    this.inFlight = true;
    this.show('saving');
    try {
      await api.put(`/api/attempts/${encodeURIComponent(attempt.id)}/answers/${encodeURIComponent(this.question.key)}`, body);
      this.saved = JSON.stringify(body);
      this.failures = 0;
      this.inFlight = false;
      if (this.pending !== null) return void this.send();
      this.show('saved');
    } catch (error) {
      this.inFlight = false;
      if (isApiError(error) && (error.status === 409 || error.status === 410)) return void closedElsewhere(error);
      if (isApiError(error) && (error.status === 0 || error.status === 429 || error.status >= 500)) {
        // Try again with backoff, unless a newer answer is already waiting.
        this.pending ??= body;
        this.failures += 1;
        const wait = Math.min(RETRY_MAX_MS, (error.retryAfter ?? 0) * 1000 || 1000 * 2 ** (this.failures - 1));
        this.show('retrying');
        this.retry = window.setTimeout(() => {
          this.status = 'saving';
          void this.send();
        }, wait);
        return;
      }
      this.error = errorMessage(error);
      this.show('failed', body);
    }
    this.settle();
  }

  private show(status: SaveStatus, failed?: Answer): void {
    this.status = status;
    const line = this.statusLine;
    line.dataset.status = status;
    if (status === 'failed' && failed) {
      const again = h('button', { type: 'button', class: 'link-button' }, tc('attempt.saveAgain'));
      again.addEventListener('click', () => this.set(failed));
      line.replaceChildren(tc('attempt.saveFailed', { message: this.error }), ' ', again);
    } else {
      line.textContent =
        status === 'saving'
          ? tc('attempt.saving')
          : status === 'saved'
            ? tc('attempt.saved')
            : status === 'retrying'
              ? tc('attempt.pending')
              : '';
    }
    updateSummary();
  }
}

const savers = new Map<string, Saver>();

function updateSummary(): void {
  const all = [...savers.values()];
  const failed = all.find((s) => s.status === 'failed');
  const text = failed
    ? tc('attempt.saveFailed', { message: failed.error })
    : all.some((s) => s.status === 'retrying')
      ? tc('attempt.pending')
      : all.some((s) => s.status === 'saving')
        ? tc('attempt.saving')
        : all.some((s) => s.status === 'saved')
          ? tc('attempt.allSaved')
          : '';
  if (saveState.textContent !== text) saveState.textContent = text;
  saveState.dataset.status = failed ? 'failed' : all.some((s) => s.status === 'retrying') ? 'retrying' : '';
  const answered = attempt.questions.filter((q) => isAnswered(q)).length;
  progress.textContent = tc('attempt.progress', { answered, total: attempt.questions.length });
}

// ---- questions ------------------------------------------------------------------------

const inputs = (q: TakerQuestion) => list.querySelectorAll<HTMLInputElement>(`[name="q-${q.key}"]`);
const textArea = (q: TakerQuestion) => document.getElementById(`q-${q.key}-text`) as HTMLTextAreaElement | null;

/** The answer as the form shows it, or null when the question is unanswered. */
function readAnswer(q: TakerQuestion): Answer | null {
  switch (q.type) {
    case 'single': {
      const checked = [...inputs(q)].find((i) => i.checked);
      return checked ? { option: checked.value } : null;
    }
    case 'multiple':
      // In the question's option order, as the server stores it.
      return { options: [...inputs(q)].filter((i) => i.checked).map((i) => i.value) };
    case 'likert': {
      const field = [...inputs(q)];
      const value = field.length === 1 ? field[0]!.value : field.find((i) => i.checked)?.value;
      return value !== undefined && value !== '' && Number.isInteger(Number(value)) ? { value: Number(value) } : null;
    }
    case 'text':
      return { text: textArea(q)?.value ?? '' };
  }
}

function isAnswered(q: TakerQuestion): boolean {
  const a = readAnswer(q);
  if (!a) return false;
  if ('options' in a) return a.options.length > 0;
  if ('text' in a) return a.text.trim() !== '';
  return true;
}

function writeAnswer(q: TakerQuestion, a: Answer): void {
  if ('option' in a) for (const i of inputs(q)) i.checked = i.value === a.option;
  else if ('options' in a) for (const i of inputs(q)) i.checked = a.options.includes(i.value);
  else if ('value' in a)
    for (const i of inputs(q)) i.type === 'number' ? (i.value = String(a.value)) : (i.checked = i.value === String(a.value));
  else if ('text' in a) {
    const area = textArea(q);
    if (area) area.value = a.text;
  }
}

function choice(
  q: TakerQuestion,
  type: 'radio' | 'checkbox',
  value: string,
  label: Node | string,
  extraClass = 'attempt-option',
): HTMLLabelElement {
  return h('label', { class: extraClass }, h('input', { type, name: `q-${q.key}`, value, id: `q-${q.key}-${value}` }), label);
}

function questionItem(q: TakerQuestion, index: number): HTMLLIElement {
  const text = localText(q.text);
  const base = `q-${q.key}`;
  const status = h('p', { class: 'attempt-q__status', id: `${base}-status` });
  const hintId = `${base}-hint`;
  let hint: string | null = null;
  let body: Node;
  switch (q.type) {
    case 'single':
    case 'multiple':
      if (q.type === 'multiple') hint = tc('attempt.chooseAll');
      body = h(
        'div',
        { class: 'attempt-options' },
        ...q.options.map((o) => {
          const t = localText(o.text);
          return choice(q, q.type === 'single' ? 'radio' : 'checkbox', o.key, h('span', { lang: t.lang }, t.text));
        }),
      );
      break;
    case 'likert': {
      hint = tc('attempt.scaleHint', { min: q.min, max: q.max });
      const points = q.max - q.min + 1;
      body =
        points <= 11
          ? h(
              'div',
              { class: 'attempt-likert', 'data-points': points },
              ...Array.from({ length: points }, (_, i) => {
                // Words when the author gave them ("never" … "always"), the number beside them.
                const word = q.labels?.[i] ? localText(q.labels[i]) : null;
                const label = word
                  ? h('span', { lang: word.lang }, h('span', { class: 'attempt-likert__word' }, word.text), ` (${q.min + i})`)
                  : h('span', {}, String(q.min + i));
                return choice(q, 'radio', String(q.min + i), label, 'attempt-likert__point');
              }),
            )
          : h(
              'div',
              { class: 'field' },
              h('label', { for: `${base}-value` }, tc('attempt.yourAnswer')),
              h('input', { type: 'number', id: `${base}-value`, name: base, min: q.min, max: q.max, step: 1, inputmode: 'numeric' }),
            );
      break;
    }
    case 'text':
      hint = tc('attempt.textHint');
      body = h(
        'div',
        { class: 'field' },
        h('label', { for: `${base}-text` }, tc('attempt.yourAnswer')),
        h('textarea', { id: `${base}-text`, rows: 4, maxlength: q.maxLength ?? 5000, 'aria-describedby': `${hintId} ${base}-status` }),
      );
      break;
    default:
      body = h('p', {}, '—');
  }
  const fieldset = h(
    'fieldset',
    { class: 'attempt-q__set', 'aria-describedby': [hint ? hintId : '', `${base}-status`].filter(Boolean).join(' ') },
    h(
      'legend',
      { class: 'attempt-q__legend' },
      h('span', { class: 'attempt-q__num' }, `${index + 1}. `),
      h('span', { lang: text.lang }, text.text),
    ),
    hint ? h('p', { class: 'field-hint', id: hintId }, hint) : null,
    body,
    status,
  );
  const item = h('li', { class: 'attempt-q', id: base, 'data-question': q.key }, fieldset);
  savers.set(q.key, new Saver(q, status));
  return item;
}

function wireInputs(): void {
  form.addEventListener('change', (event) => {
    const target = event.target as HTMLElement;
    const key = target.closest<HTMLElement>('[data-question]')?.dataset.question;
    const saver = key ? savers.get(key) : undefined;
    if (!saver) return;
    const answer = readAnswer(saver.question);
    if (saver.question.type === 'text') void saver.flush();
    else if (answer) saver.set(answer);
    updateSummary();
  });
  form.addEventListener('input', (event) => {
    const target = event.target as HTMLElement;
    if (!(target instanceof HTMLTextAreaElement) && !(target instanceof HTMLInputElement && target.type === 'number')) return;
    const key = target.closest<HTMLElement>('[data-question]')?.dataset.question;
    const saver = key ? savers.get(key) : undefined;
    const answer = saver ? readAnswer(saver.question) : null;
    if (saver && answer) saver.set(answer, TEXT_DEBOUNCE_MS);
    updateSummary();
  });
}

// ---- time ------------------------------------------------------------------------------

let tick = 0;

/** mm:ss, or h:mm:ss from an hour. */
function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const mm = String(Math.floor((total % 3600) / 60)).padStart(hours ? 2 : 1, '0');
  const ss = String(total % 60).padStart(2, '0');
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

function startTimer(a: Attempt): void {
  if (!a.deadlineAt) {
    timerBox.replaceChildren(tc('attempt.noLimit'));
    return;
  }
  // The server's view of the time left, counted down with a monotonic clock from here on.
  const left = Date.parse(a.deadlineAt) - Date.parse(a.serverTime);
  const t0 = performance.now();
  const remaining = () => left - (performance.now() - t0);
  const warned = new Set(WARN_AT_MIN.filter((m) => left <= m * 60_000));
  const update = () => {
    const ms = remaining();
    timer.textContent = clock(ms);
    timerBox.toggleAttribute('data-low', ms <= 60_000);
    for (const m of WARN_AT_MIN) {
      if (ms <= m * 60_000 && !warned.has(m)) {
        warned.add(m);
        announcer.textContent = tc('attempt.minutesLeft', { count: m });
      }
    }
    if (ms <= 0) void timeUp();
  };
  update();
  tick = window.setInterval(update, 250);
}

function stopEverything(): void {
  finished = true;
  window.clearInterval(tick);
  for (const control of form.elements) (control as HTMLInputElement).disabled = true;
}

/** Finds the result of a closed attempt (the error may not name it). */
async function resultIdOf(hint: unknown): Promise<string | null> {
  if (typeof hint === 'string' && hint) return hint;
  try {
    return (await api.get<Attempt>(`/api/attempts/${encodeURIComponent(attempt.id)}`)).resultId;
  } catch {
    return null;
  }
}

function showClosed(message: string, resultId: string | null): void {
  byId('attempt-closed-text').textContent = message;
  const link = byId<HTMLAnchorElement>('attempt-result-link');
  link.hidden = !resultId;
  if (resultId) link.href = resultUrl(resultId);
  setState(region, 'closed');
  (resultId ? link : byId('attempt-closed-text')).focus();
}

function goToResult(resultId: string | null, notice?: 'timeup' | 'submitted', message = tc('attempt.closed')): void {
  leaving = true;
  if (dialog.open) dialog.close();
  showClosed(message, resultId);
  if (resultId) location.assign(resultUrl(resultId, notice));
}

/** 409 (submitted elsewhere) or 410 (time over) from a save. */
async function closedElsewhere(error: { status: number; details: unknown }): Promise<void> {
  if (finished) return;
  stopEverything();
  const details = (error.details ?? {}) as { resultId?: unknown };
  const timeout = error.status === 410;
  goToResult(await resultIdOf(details.resultId), timeout ? 'timeup' : 'submitted', timeout ? tc('attempt.timeUp') : tc('attempt.closed'));
}

async function timeUp(): Promise<void> {
  if (finished) return;
  stopEverything();
  timer.textContent = clock(0);
  saveState.textContent = tc('attempt.timeUp');
  announcer.textContent = tc('attempt.timeUp');
  // The server closes the attempt at its deadline with what was saved before it.
  for (let round = 0; round < 5; round++) {
    try {
      const result = await api.post<{ id: string }>(`/api/attempts/${encodeURIComponent(attempt.id)}/submit`);
      return goToResult(result.id, 'timeup', tc('attempt.timeUp'));
    } catch (error) {
      if (isApiError(error) && error.status === 404) break;
      await new Promise((r) => setTimeout(r, 1000 * 2 ** round));
    }
  }
  goToResult(await resultIdOf(null), 'timeup', tc('attempt.timeUp'));
}

// ---- submit ----------------------------------------------------------------------------

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (finished) return;
  const answered = attempt.questions.filter((q) => isAnswered(q)).length;
  confirmText.textContent = tc('attempt.confirmText', { answered, total: attempt.questions.length });
  confirmError.hidden = true;
  dialog.showModal();
});

byId('attempt-confirm-cancel').addEventListener('click', () => dialog.close());

confirmButton.addEventListener('click', async () => {
  if (confirmButton.getAttribute('aria-disabled') === 'true' || finished) return;
  confirmButton.setAttribute('aria-disabled', 'true');
  confirmButton.textContent = tc('attempt.submitting');
  confirmError.hidden = true;
  try {
    // Every answer must be saved before the submit scores them; give a slow network 15 s.
    await Promise.race([Promise.all([...savers.values()].map((s) => s.flush())), new Promise((r) => setTimeout(r, FLUSH_WAIT_MS))]);
    if (finished) return;
    const failed = [...savers.values()].find((s) => s.status === 'failed');
    if (failed) throw new Error(tc('attempt.saveFailed', { message: failed.error }));
    if ([...savers.values()].some((s) => s.busy)) throw new Error(tc('attempt.pending'));
    const result = await api.post<{ id: string }>(`/api/attempts/${encodeURIComponent(attempt.id)}/submit`);
    stopEverything();
    goToResult(result.id);
  } catch (error) {
    if (finished) return;
    confirmError.textContent = error instanceof Error && !isApiError(error) ? error.message : errorMessage(error);
    confirmError.hidden = false;
  } finally {
    confirmButton.removeAttribute('aria-disabled');
    confirmButton.textContent = tc('attempt.confirmSubmit');
  }
});

window.addEventListener('beforeunload', (event) => {
  if (!leaving && !finished && [...savers.values()].some((s) => s.busy)) event.preventDefault();
});

// ---- load ------------------------------------------------------------------------------

async function showChild(childId: string): Promise<void> {
  // Taken for a child: say what is stored and who sees it.
  byId('attempt-child-privacy').hidden = false;
  try {
    const child = await api.get<Child>(`/api/me/children/${encodeURIComponent(childId)}`, { lang: false });
    const line = byId('attempt-for');
    line.textContent = tc('attempt.for', { name: child.name });
    line.hidden = false;
  } catch {
    // Only a label; the attempt works without it.
  }
}

async function main(): Promise<void> {
  const id = routeId('attempts');
  if (!id) return setState(region, 'notfound');
  setState(region, 'loading');
  try {
    attempt = await api.get<Attempt>(`/api/attempts/${encodeURIComponent(id)}`);
  } catch (error) {
    if (isApiError(error) && error.status === 404) return setState(region, 'notfound');
    return setState(region, 'error', errorMessage(error));
  }
  const title = localText(attempt.title);
  setPageTitle(byId('record-title'), title.text, title.lang);
  if (attempt.childId) void showChild(attempt.childId);
  if (attempt.status === 'submitted') {
    finished = true;
    return showClosed(tc('attempt.closed'), attempt.resultId);
  }

  list.replaceChildren(...attempt.questions.map(questionItem));
  let restored = 0;
  for (const q of attempt.questions) {
    const saved = attempt.answers[q.key];
    if (!saved) continue;
    writeAnswer(q, saved);
    savers.get(q.key)!.restore(saved);
    restored++;
  }
  byId('attempt-resumed').hidden = restored === 0;
  wireInputs();
  updateSummary();
  setState(region, 'ready');
  startTimer(attempt);
}

void main();
