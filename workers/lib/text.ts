import { z } from '@hono/zod-openapi';

/**
 * The one normalisation step for text that reaches Postgres. Postgres refuses NUL in text
 * and jsonb (a 500 if it gets that far), control characters have no business in names and
 * titles, and a lone UTF-16 surrogate cannot be encoded as UTF-8 at all. Text is stored in
 * NFC so that equal-looking strings compare equal (emails, search, uniqueness).
 */

/** Unicode Cc (C0, DEL, C1) except tab, line feed and carriage return. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Unicode Cc, line breaks and tabs included. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_ONE_LINE = /[\u0000-\u001F\u007F-\u009F]/;
/** With the u flag a surrogate range matches only unpaired surrogates. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export const TEXT_MESSAGES = {
  control: 'Must not contain control characters',
  lineBreak: 'Must be a single line (no line breaks or tabs)',
  surrogate: 'Contains an invalid character (a lone UTF-16 surrogate)',
  encoding: 'Is not valid UTF-8',
} as const;

/** Why this text is refused, or null when it is fine. */
export function textProblem(value: string, multiline: boolean): string | null {
  if (LONE_SURROGATE.test(value)) return TEXT_MESSAGES.surrogate;
  if (CONTROL_MULTILINE.test(value)) return TEXT_MESSAGES.control;
  if (!multiline && CONTROL_ONE_LINE.test(value)) return TEXT_MESSAGES.lineBreak;
  return null;
}

/**
 * A string field of a request schema: refuses control characters and lone surrogates with
 * a message naming the rule, then normalises to NFC. Chain `.trim()`, `.min()`, `.max()` as
 * on any zod string. `multiline` keeps \n, \r and \t (texts, lesson bodies); without it a
 * line break is refused too (names, titles, query parameters).
 */
export function text(opts: { multiline?: boolean } = {}) {
  const multiline = opts.multiline ?? false;
  return z
    .string()
    .superRefine((value, ctx) => {
      const problem = textProblem(value, multiline);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .normalize('NFC');
}
