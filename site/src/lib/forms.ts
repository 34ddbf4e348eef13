// Progressive enhancement for forms: localized client-side validation, errors shown
// next to each field (aria-invalid + aria-describedby), an error summary that takes
// focus (links jump to the fields), a busy state against double submits, and API
// errors (ApiError.fields) mapped onto the fields they name.
//
// Markup contract (Field.astro / Select.astro produce it):
//   <form data-form-error-summary?>            any form
//     <div data-form-error hidden tabindex="-1"> error summary (created when missing)
//     <p data-form-status role="status">          optional success message
//     <label for="x"> … <p id="x-error" class="field-error" hidden> … <input id="x" name="…">
//     <button type="submit" disabled data-needs-js>   enabled once enhanced
import { errorMessage, isApiError } from './api';
import { tc, tcMaybe } from './i18n-client';

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;
type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface EnhanceOptions<T> {
  /** Sends the form; throw (an ApiError) to show errors. */
  submit: (values: FormValues, form: HTMLFormElement) => Promise<T>;
  /** Runs after a successful submit. */
  onSuccess?: (result: T, form: HTMLFormElement) => void | Promise<void>;
  /** Extra checks after the built-in ones; return messages by field name. */
  validate?: (values: FormValues, form: HTMLFormElement) => FieldErrors | undefined;
}

function isControl(node: unknown): node is Control {
  return node instanceof HTMLInputElement || node instanceof HTMLSelectElement || node instanceof HTMLTextAreaElement;
}

function controlFor(form: HTMLFormElement, name: string): Control | null {
  const item = form.elements.namedItem(name);
  if (isControl(item)) return item;
  if (item instanceof RadioNodeList) {
    const first = item[0];
    return isControl(first) ? first : null;
  }
  return null;
}

function controls(form: HTMLFormElement): Control[] {
  return Array.from(form.elements)
    .filter(isControl)
    .filter((c) => c.name && !c.disabled && c.type !== 'hidden');
}

export function formValues(form: HTMLFormElement): FormValues {
  const values: FormValues = {};
  for (const control of controls(form)) {
    if ((control.type === 'checkbox' || control.type === 'radio') && !(control as HTMLInputElement).checked) continue;
    values[control.name] = control.type === 'password' ? control.value : control.value.trim();
  }
  return values;
}

function describedBy(control: Control, id: string, add: boolean): void {
  const ids = new Set((control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean));
  if (add) ids.add(id);
  else ids.delete(id);
  if (ids.size) control.setAttribute('aria-describedby', [...ids].join(' '));
  else control.removeAttribute('aria-describedby');
}

function errorElementFor(control: Control): HTMLElement {
  const id = `${control.id || control.name}-error`;
  let node = document.getElementById(id);
  if (!node) {
    node = document.createElement('p');
    node.id = id;
    node.className = 'field-error';
    node.hidden = true;
    control.before(node);
  }
  if (!control.id) control.id = control.name;
  return node;
}

export function setFieldError(control: Control, message: string): void {
  const node = errorElementFor(control);
  const prefix = document.createElement('span');
  prefix.className = 'visually-hidden';
  prefix.textContent = `${tc('form.errorPrefix')} `;
  node.replaceChildren(prefix, message);
  node.hidden = false;
  control.setAttribute('aria-invalid', 'true');
  describedBy(control, node.id, true);
}

export function clearFieldError(control: Control): void {
  const node = document.getElementById(`${control.id || control.name}-error`);
  if (node) {
    node.hidden = true;
    node.replaceChildren();
    describedBy(control, node.id, false);
  }
  control.removeAttribute('aria-invalid');
}

function summaryElement(form: HTMLFormElement): HTMLElement {
  let node = form.querySelector<HTMLElement>('[data-form-error]');
  if (!node) {
    node = document.createElement('div');
    node.dataset.formError = '';
    node.className = 'form-error';
    node.hidden = true;
    form.prepend(node);
  }
  node.tabIndex = -1;
  return node;
}

/** Show a form-level error (and optional per-field links) and move focus to it. */
export function showFormError(form: HTMLFormElement, message: string, links: Array<{ control: Control; message: string }> = []): void {
  const node = summaryElement(form);
  const heading = document.createElement('p');
  heading.className = 'form-error__title';
  heading.textContent = message;
  node.replaceChildren(heading);
  if (links.length) {
    const list = document.createElement('ul');
    for (const { control, message: text } of links) {
      const a = document.createElement('a');
      a.href = `#${control.id}`;
      a.textContent = text;
      a.addEventListener('click', (event) => {
        event.preventDefault();
        control.focus();
      });
      const li = document.createElement('li');
      li.append(a);
      list.append(li);
    }
    node.append(list);
  }
  node.hidden = false;
  node.focus();
}

/** A short success message in the form's `[data-form-status]` live region. */
export function showFormStatus(form: HTMLFormElement, message: string): void {
  const node = form.querySelector<HTMLElement>('[data-form-status]');
  if (node) node.textContent = message;
}

export function clearFormErrors(form: HTMLFormElement): void {
  const summary = form.querySelector<HTMLElement>('[data-form-error]');
  if (summary) {
    summary.hidden = true;
    summary.replaceChildren();
  }
  showFormStatus(form, '');
  for (const control of controls(form)) clearFieldError(control);
}

/**
 * Show errors by field name. Server messages that are codes (`email_taken`) are
 * translated through the `field.*` strings; other text is shown as sent. Messages for
 * names with no matching control go into the summary.
 */
export function showFieldErrors(form: HTMLFormElement, fields: FieldErrors, summary = tc('form.summary')): void {
  const links: Array<{ control: Control; message: string }> = [];
  const orphans: string[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    const message = tcMaybe(`field.${raw}`) ?? raw;
    const control = controlFor(form, name);
    if (control) {
      setFieldError(control, message);
      // Name the field in the summary: "Email: Please fill in this field." A radio or checkbox
      // group is named by its legend ("Rating"), not by its first option ("1 star").
      const group =
        control instanceof HTMLInputElement && (control.type === 'radio' || control.type === 'checkbox')
          ? control.closest('fieldset')?.querySelector('legend')?.textContent?.trim()
          : undefined;
      const label = group || control.labels?.[0]?.textContent?.trim();
      links.push({ control, message: label ? `${label}: ${message}` : message });
    } else {
      orphans.push(message);
    }
  }
  // Keep the summary in document order so it matches the fields.
  links.sort((a, b) => (a.control.compareDocumentPosition(b.control) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  showFormError(form, [summary, ...orphans].join(' '), links);
}

/** The localized message the browser's constraint validation would show, or undefined. */
export function validationMessage(control: Control): string | undefined {
  const value = control.value;
  const v = control.validity;
  // A required choice is chosen, not filled in.
  if (v.valueMissing && control instanceof HTMLInputElement && control.type === 'radio') return tc('form.choose');
  // Whitespace-only counts as empty (values are trimmed before sending).
  if (v.valueMissing || (control.required && control.type !== 'password' && !value.trim())) return tc('form.required');
  if (v.typeMismatch && control.type === 'email') return tc('form.email');
  // tooShort is only flagged for typed values, so check the length directly too.
  if ('minLength' in control && control.minLength > 0 && value && value.length < control.minLength) {
    return tc('form.tooShort', { count: control.minLength });
  }
  if (v.tooLong && 'maxLength' in control) return tc('form.tooLong', { count: control.maxLength });
  if (v.rangeUnderflow && control instanceof HTMLInputElement) return tc('form.min', { min: control.min });
  if (v.rangeOverflow && control instanceof HTMLInputElement) return tc('form.max', { max: control.max });
  if (!v.valid) return tc('form.invalid');
  return undefined;
}

export function validateForm(form: HTMLFormElement): FieldErrors {
  const errors: FieldErrors = {};
  for (const control of controls(form)) {
    const message = validationMessage(control);
    if (message && !(control.name in errors)) errors[control.name] = message;
  }
  return errors;
}

function setBusy(form: HTMLFormElement, busy: boolean): void {
  form.toggleAttribute('aria-busy', busy);
  if (busy) form.dataset.busy = '';
  else delete form.dataset.busy;
  // aria-disabled rather than disabled, so the focused button keeps focus.
  for (const button of form.querySelectorAll<HTMLButtonElement>('button[type="submit"], button:not([type])')) {
    button.setAttribute('aria-disabled', String(busy));
  }
}

/** Handle any error from a submit: field errors, then a form-level message. */
export function showSubmitError(form: HTMLFormElement, error: unknown): void {
  if (isApiError(error)) {
    if (Object.keys(error.fields).length) {
      showFieldErrors(form, error.fields, errorMessage(error));
      return;
    }
    if (error.notified) return; // the page notice already said it (429, 503, offline)
  } else {
    console.error(error);
  }
  showFormError(form, errorMessage(error));
}

/** Take over a form's submit: validate, send, and show the outcome. */
export function enhanceForm<T>(form: HTMLFormElement, options: EnhanceOptions<T>): void {
  form.noValidate = true;
  for (const button of form.querySelectorAll<HTMLButtonElement>('[data-needs-js]')) button.disabled = false;

  form.addEventListener('input', (event) => {
    if (isControl(event.target) && event.target.getAttribute('aria-invalid') === 'true') clearFieldError(event.target);
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if ('busy' in form.dataset) return;
    clearFormErrors(form);
    const values = formValues(form);
    const errors = { ...validateForm(form), ...options.validate?.(values, form) };
    if (Object.keys(errors).length) return showFieldErrors(form, errors);

    setBusy(form, true);
    try {
      const result = await options.submit(values, form);
      await options.onSuccess?.(result, form);
    } catch (error) {
      showSubmitError(form, error);
    } finally {
      setBusy(form, false);
    }
  });
}
