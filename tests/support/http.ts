/**
 * Request helpers for Worker tests: they call the real Worker (SELF) inside workerd and
 * parse JSON, so failures print the response body.
 */
import { SELF } from 'cloudflare:test';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body, sent as is (for malformed JSON and size tests). */
  rawBody?: BodyInit;
  token?: string;
  headers?: Record<string, string>;
}

export async function api<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await SELF.fetch(`http://sabaq.test${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Describes a response for assertion messages. */
export const show = (res: ApiResponse) => `${res.status} ${res.text.slice(0, 800)}`;
