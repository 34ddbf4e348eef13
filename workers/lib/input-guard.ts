import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app.ts';
import { validationError } from './errors.ts';
import { TEXT_MESSAGES, textProblem } from './text.ts';

/**
 * The safety net under the route schemas' `text()` fields, for every /api request: a route
 * that forgets to use `text()` still never hands Postgres a NUL, a control character or a
 * lone surrogate (a 500 there), and JSON bodies reach every route NFC-normalised.
 *
 * - path segments and query parameters: no control characters at all, valid UTF-8;
 * - JSON bodies: every string and key, at any depth; \n, \r and \t are left to the field's
 *   own schema (multi-line texts keep them); nesting deeper than MAX_DEPTH is refused.
 */
export const MAX_DEPTH = 64;
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Decodes like Hono does: runs of %XX escapes are decoded, a stray "%" stays literal (the
 * route then sees plain ASCII). Null when the escapes spell invalid UTF-8 (a lone surrogate).
 */
function decode(raw: string): string | null {
  try {
    return raw.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => decodeURIComponent(run));
  } catch {
    return null;
  }
}

/** Printable ASCII except `%` (0x25). */
const PLAIN_URL = /^[\x21-\x24\x26-\x7e]*$/;

/** Problems of the URL: `{ name: message }`, keyed by query parameter (or "path"). */
function urlProblems(url: string): Record<string, string> {
  // Most URLs are printable ASCII without a percent sign: nothing to decode, nothing that could
  // be refused — skipped without parsing (this check ran on every request).
  if (PLAIN_URL.test(url)) return {};
  const fields: Record<string, string> = {};
  const { pathname, search } = new URL(url);
  for (const segment of pathname.split('/')) {
    const value = decode(segment);
    const problem = value === null ? TEXT_MESSAGES.encoding : textProblem(value, false);
    if (problem) fields.path ??= problem;
  }
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const name = key ?? (eq < 0 ? pair : pair.slice(0, eq));
    const problem = key === null || value === null ? TEXT_MESSAGES.encoding : (textProblem(key, false) ?? textProblem(value, false));
    if (problem) fields[textProblem(name, false) ? 'query' : name] ??= problem;
  }
  return fields;
}

/**
 * Checks and NFC-normalises a parsed JSON value without recursion (a 50,000-deep body must
 * not overflow the stack). Returns the problems by field path and whether anything changed.
 */
function walkJson(root: Json): { fields: Record<string, string>; changed: boolean; tooDeep: boolean } {
  const fields: Record<string, string> = {};
  let changed = false;
  const check = (value: string, path: string): string => {
    const problem = textProblem(value, true);
    if (problem) fields[path || '_'] ??= problem;
    const normal = value.normalize('NFC');
    if (normal !== value) changed = true;
    return normal;
  };
  const stack: { node: Json[] | { [key: string]: Json }; path: string; depth: number }[] = [];
  if (root && typeof root === 'object') stack.push({ node: root, path: '', depth: 0 });
  while (stack.length) {
    const { node, path, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) return { fields, changed, tooDeep: true };
    const entries: [string | number, Json][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, value] of entries) {
      let k = key;
      if (typeof key === 'string') {
        const safeKey = textProblem(key, false) ? null : key;
        k = check(key, path ? `${path}.${safeKey ?? '?'}` : (safeKey ?? '_'));
        if (k !== key && !Array.isArray(node)) {
          delete node[key];
          node[k] = value;
        }
      }
      const childPath = path ? `${path}.${k}` : String(k);
      if (typeof value === 'string') {
        const normal = check(value, childPath);
        if (Array.isArray(node)) node[k as number] = normal;
        else node[k as string] = normal;
      } else if (value && typeof value === 'object') {
        stack.push({ node: value, path: childPath, depth: depth + 1 });
      }
    }
  }
  return { fields, changed, tooDeep: false };
}

export function inputGuard() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const inUrl = urlProblems(c.req.url);
    if (Object.keys(inUrl).length) throw validationError(inUrl);

    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
    if (!JSON_TYPE.test(type) || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const raw = await c.req.text();
    let body: Json;
    try {
      body = JSON.parse(raw) as Json;
    } catch {
      return next(); // the route's validator answers invalid_json
    }
    // A bare JSON string is walked inside a holder, so it is checked like any field.
    const holder: Json[] = [body];
    const { fields, changed, tooDeep } = walkJson(holder);
    if (tooDeep) throw validationError({ _: `Nested deeper than ${MAX_DEPTH} levels` });
    if (Object.keys(fields).length)
      throw validationError(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.replace(/^0\.?/, '') || '_', v])));
    // Every later reader (the route's validator) parses this text instead of the original:
    // HonoRequest keeps the body it read as a promise per type (the NFC test covers this).
    if (changed) (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(JSON.stringify(holder[0]));
    await next();
  });
}
