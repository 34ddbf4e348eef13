// API field errors for the studio and admin forms: the API names fields by their JSON path
// (`title`, `price.amount`, `tags.3`) and words its messages in English; forms.ts needs
// control names and the page language. Shared by studio*.ts and admin*.ts.
import { ApiError, isApiError } from '../lib/api';
import { pageLang, tc, tcMaybe } from '../lib/i18n-client';

/** Maps an API field path to a control name in the form, or null to put it in the summary. */
export type FieldMap = (path: string) => string | null;

/** Per-field messages that read better than the generic translation. */
export type FieldMessages = Record<string, (raw: string) => string | undefined>;

/** The API's English validation message in the page language (best effort, else generic). */
export function localizeMessage(raw: string): string {
  const known = tcMaybe(`field.${raw}`);
  if (known) return known;
  let m: RegExpExecArray | null;
  if ((m = /expected string to have <=\s*(\d+)/i.exec(raw))) return tc('form.tooLong', { count: Number(m[1]) });
  if ((m = /expected string to have >=\s*(\d+)/i.exec(raw))) return tc('form.tooShort', { count: Number(m[1]) });
  if ((m = /expected number to be <=\s*(-?\d+)/i.exec(raw))) return tc('form.max', { max: m[1]! });
  if ((m = /expected number to be >=\s*(-?\d+)/i.exec(raw))) return tc('form.min', { min: m[1]! });
  if (/at least one of ru, kk, en|needs a title/i.test(raw)) return tcMaybe('studio.err.titleNeeded') ?? tc('form.required');
  if (/url|https:\/\//i.test(raw)) return tcMaybe('studio.err.url') ?? tc('form.invalid');
  if (/unknown category/i.test(raw)) return tcMaybe('studio.err.category') ?? tc('form.invalid');
  if (/give a reason|required|received undefined|too small: expected string to have >=1/i.test(raw)) return tc('form.required');
  // English pages can show the server's own words; other languages get the generic text.
  return pageLang() === 'en' && raw ? raw : tc('field.invalid');
}

/**
 * Runs an API call; a validation error comes back with its fields renamed to the form's
 * controls and its messages in the page language, ready for forms.ts.
 */
export async function withFieldErrors<T>(call: () => Promise<T>, map: FieldMap = (p) => p, messages: FieldMessages = {}): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isApiError(error) || !Object.keys(error.fields).length) throw error;
    const fields: Record<string, string> = {};
    for (const [path, raw] of Object.entries(error.fields)) {
      const name = map(path) ?? '_';
      const message = messages[name]?.(raw) ?? localizeMessage(raw);
      fields[name] = fields[name] ? `${fields[name]} ${message}` : message;
    }
    const localized = new ApiError({
      status: error.status,
      code: error.code,
      message: error.message,
      fields,
      requestId: error.requestId,
      details: error.details,
      retryAfter: error.retryAfter,
    });
    localized.notified = error.notified;
    throw localized;
  }
}
