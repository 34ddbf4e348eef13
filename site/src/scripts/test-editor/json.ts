// The JSON view of the test document: export with remembered spans, import with syntax errors
// placed, and switching between the form and the JSON.
import { isLang } from '../../i18n/langs';
import { byId } from '../../lib/dom';
import { clearFieldError, setFieldError } from '../../lib/forms';
import { tc } from '../../lib/i18n-client';
import { changed } from './editing';
import { applyErrors } from './errors';
import { render } from './form';
import { type Doc, EXPORT_FIELDS, form, isObj, jsonPanel, jsonText, langSelect, publishButton, say, state, statusLine } from './state';

// ---- JSON ----------------------------------------------------------------------------------

/** JSON.stringify(doc, null, 2), remembering where each path's value is. */
export function toJson(value: unknown): string {
  let text = '';
  state.spans = new Map();
  const write = (v: unknown, path: string, indent: string) => {
    const start = text.length;
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (!v.length) text += '[]';
      else {
        text += '[\n';
        v.forEach((x, i) => {
          text += inner;
          write(x, path ? `${path}.${i}` : String(i), inner);
          text += i < v.length - 1 ? ',\n' : '\n';
        });
        text += `${indent}]`;
      }
    } else if (isObj(v)) {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (!entries.length) text += '{}';
      else {
        text += '{\n';
        entries.forEach(([k, x], i) => {
          text += `${inner}${JSON.stringify(k)}: `;
          write(x, path ? `${path}.${k}` : k, inner);
          text += i < entries.length - 1 ? ',\n' : '\n';
        });
        text += `${indent}}`;
      }
    } else {
      text += JSON.stringify(v ?? null) ?? 'null';
    }
    state.spans.set(path, [start, text.length]);
  };
  write(value, '', '');
  return text;
}

/** Parses the JSON view into the document; shows a syntax error next to it and returns false. */
export function applyJson(): boolean {
  clearFieldError(jsonText);
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText.value);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    if (at) {
      const pos = Number(at[1]);
      const before = jsonText.value.slice(0, pos).split('\n');
      setFieldError(
        jsonText,
        tc('assess.jsonSyntaxAt', {
          message: message.replace(/\s*(in JSON )?at position.*$/, ''),
          line: before.length,
          column: before[before.length - 1]!.length + 1,
        }),
      );
      jsonText.focus();
      jsonText.setSelectionRange(pos, pos + 1);
    } else {
      setFieldError(jsonText, tc('assess.jsonSyntax', { message }));
      jsonText.focus();
    }
    return false;
  }
  if (!isObj(parsed)) {
    setFieldError(jsonText, tc('assess.jsonNotObject'));
    jsonText.focus();
    return false;
  }
  const next = stripExport(parsed);
  if (state.meta.id && next.kind !== state.doc.kind) {
    // The API refuses a change of kind; say it next to the text, not after a round trip.
    setFieldError(jsonText, tc('assess.err.kindFixed'));
    jsonText.focus();
    return false;
  }
  if (JSON.stringify(next) !== JSON.stringify(state.doc)) changed();
  state.doc = next;
  jsonText.value = toJson(state.doc);
  return true;
}

export function stripExport(input: Record<string, unknown>): Doc {
  const copy: Doc = { ...input };
  for (const f of EXPORT_FIELDS) delete copy[f];
  return copy;
}

export function setView(next: 'form' | 'json', focus = false): void {
  state.view = next;
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="test-view"]')) radio.checked = radio.value === next;
  form.hidden = next !== 'form';
  jsonPanel.hidden = next !== 'json';
  langSelect.disabled = next === 'json';
  if (next === 'json') {
    jsonText.value = toJson(state.doc);
    applyErrors();
    if (focus) jsonText.focus();
  } else {
    render();
  }
}

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="test-view"]')) {
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    if (radio.value === 'form') {
      if (!applyJson()) return setView('json');
      setView('form');
    } else {
      setView('json');
    }
  });
}

byId('test-json-apply').addEventListener('click', () => {
  if (!applyJson()) return;
  setView('form');
  say(tc('assess.jsonApplied'));
  statusLine.textContent = tc('assess.jsonApplied');
});

jsonText.addEventListener('input', () => {
  state.dirty = true;
  publishButton.hidden = false;
});

langSelect.addEventListener('change', () => {
  if (isLang(langSelect.value)) state.textLang = langSelect.value;
  render();
});
