import { h } from '../../lib/dom';
import { clearFieldError, setFieldError } from '../../lib/forms';
import { tc } from '../../lib/i18n-client';
import type { Key } from '../../i18n/en';
import { localizeMessage } from '../studio-errors';
import { controlId, form, jsonText, state, stripLang, summary } from './state';

// ---- errors ------------------------------------------------------------------------------

/** The API's English messages about documents, in the page language. */
export const MESSAGES: [RegExp, Key][] = [
  [/^Duplicate /, 'assess.err.duplicate'],
  [/^No scale /, 'assess.err.noScale'],
  [/must be ordered and not overlap/, 'assess.err.bandsOrder'],
  [/max must not be below min/, 'assess.err.maxBelowMin'],
  [/max must be greater than min|Likert range/, 'assess.err.likertRange'],
  [/needs a passMark/, 'assess.err.needPassMark'],
  [/needs at least one single or multiple/, 'assess.err.quizChoice'],
  [/Only quizzes have a passMark/, 'assess.err.passMarkQuizOnly'],
  [/needs at least one scale/, 'assess.err.needScale'],
  [/Only quiz options are marked correct/, 'assess.err.correctQuizOnly'],
  [/exactly one correct option/, 'assess.err.singleCorrect'],
  [/at least one correct option/, 'assess.err.multipleCorrect'],
  [/at least two options/, 'assess.err.twoOptions'],
  [/at least one question/, 'assess.err.oneQuestion'],
  [/at least one band/, 'assess.err.oneBand'],
  [/letters, digits/, 'assess.err.key'],
  [/at least one of ru, kk, en/, 'assess.err.text'],
  [/At least 30 seconds|At most a day/, 'assess.err.timeLimit'],
  [/whole number|expected int/i, 'assess.err.wholeNumber'],
  [/Unrecognized key/i, 'assess.err.unknownField'],
  [/No such course/, 'assess.err.course'],
  [/kind of a test cannot change/, 'assess.err.kindFixed'],
];

export function translate(raw: string): string {
  const known = MESSAGES.find(([re]) => re.test(raw));
  if (known) return tc(known[1]);
  return localizeMessage(raw);
}

/** The element an error path belongs to: the control, else the nearest item or group. */
export function targetOf(path: string): HTMLElement | null {
  let p = stripLang(path);
  for (;;) {
    const found = form.querySelector<HTMLElement>(`[data-path="${CSS.escape(p)}"]`);
    if (found) return found;
    if (!p.includes('.')) return null;
    p = p.slice(0, p.lastIndexOf('.'));
  }
}

export const isControl = (el: Element): el is HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement =>
  el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement;

/** "Question 2 › Option 1 › Key" for the summary. */
export function describe(el: HTMLElement): string {
  const parts: string[] = [];
  for (let node: HTMLElement | null = el; node && node !== form; node = node.parentElement) {
    if (node instanceof HTMLFieldSetElement && node.hasAttribute('data-item'))
      parts.unshift(node.querySelector(':scope > legend')?.textContent ?? '');
  }
  const label = isControl(el)
    ? el.labels?.[0]?.textContent
    : el instanceof HTMLFieldSetElement && !el.hasAttribute('data-item')
      ? el.querySelector(':scope > legend')?.textContent
      : null;
  if (label) parts.push(label);
  return parts.filter(Boolean).join(' › ');
}

export function clearErrorOf(el: HTMLElement): void {
  const path = el.dataset.path;
  if (!path) return;
  if (isControl(el)) clearFieldError(el);
  for (const key of Object.keys(state.errors)) if (stripLang(key) === path) delete state.errors[key];
}

export function focusTarget(el: HTMLElement): void {
  const focusable = isControl(el) ? el : el.querySelector<HTMLElement>('input, select, textarea, button, [tabindex]');
  el.scrollIntoView({ block: 'center' });
  (focusable ?? el).focus();
}

export function selectInJson(path: string): void {
  let p = stripLang(path);
  let span = state.spans.get(p);
  while (!span && p.includes('.')) {
    p = p.slice(0, p.lastIndexOf('.'));
    span = state.spans.get(p);
  }
  if (!span) {
    jsonText.focus();
    return;
  }
  jsonText.focus();
  jsonText.setSelectionRange(span[0], span[1]);
  const line = jsonText.value.slice(0, span[0]).split('\n').length;
  const lines = jsonText.value.split('\n').length;
  jsonText.scrollTop = Math.max(0, (line / lines) * jsonText.scrollHeight - jsonText.clientHeight / 2);
}

/** Marks every error next to its field (form view) and lists them all in the summary. */
export function applyErrors(): void {
  for (const old of form.querySelectorAll('.test-group-error')) old.remove();
  const entries = Object.entries(state.errors);
  summary.hidden = !entries.length;
  if (!entries.length) {
    summary.replaceChildren();
    return;
  }
  const list = h('ul', {});
  // In the order of the form (the API reports them in its own order); unplaced ones last.
  const placed = entries.map(([path, raw]) => ({ path, raw, target: targetOf(path) }));
  placed.sort((a, b) =>
    !a.target ? 1 : !b.target ? -1 : a.target.compareDocumentPosition(b.target) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
  );
  for (const { path, raw, target } of placed) {
    const message = translate(raw);
    if (target && isControl(target)) {
      setFieldError(target, message);
    } else if (target) {
      const id = `${target.id || controlId(path)}-group-error`;
      const note = h(
        'p',
        { class: 'field-error test-group-error', id },
        h('span', { class: 'visually-hidden' }, `${tc('form.errorPrefix')} `),
        message,
      );
      const legend = target.querySelector(':scope > legend');
      if (legend) legend.after(note);
      else target.prepend(note);
      target.setAttribute('aria-describedby', [target.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    }
    const label = state.view === 'json' || !target ? path : describe(target);
    const text = label ? `${label}: ${message}` : message;
    const link = h('a', { href: `#${target?.id ?? 'test-json-text'}`, 'data-error-path': path }, text);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      if (state.view === 'json') return selectInJson(path);
      const current = targetOf(path);
      if (current) focusTarget(current);
    });
    list.append(h('li', {}, target || state.view === 'json' ? link : text));
  }
  summary.replaceChildren(h('p', { class: 'form-error__title' }, tc('assess.errors')), list);
}
