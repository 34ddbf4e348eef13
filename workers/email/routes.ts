import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf, type AppContext } from '../app.ts';
import { errorResponses, json } from '../lib/openapi.ts';
import { text } from '../lib/text.ts';
import { esc } from '../site/html.ts';
import { assertDevMailbox, listDevMail, type DevMailView } from './dev-mailbox.ts';

const DevMail = z
  .object({
    id: z.string(),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    kind: z.string(),
    createdAt: z.string(),
  })
  .openapi('DevMail');

const MailQuery = z.object({
  to: text().trim().max(254).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const list = createRoute({
  method: 'get',
  path: '/dev/mail',
  tags: ['dev'],
  summary: 'The local dev mailbox (EMAIL_PROVIDER=dev only; 404 in production): messages the platform "sent", newest first',
  request: { query: MailQuery },
  responses: { 200: json(z.object({ items: z.array(DevMail) })), ...errorResponses(400, 404) },
});

export const devMailRoutes = createRouter().openapi(list, async (c) =>
  c.json({ items: await listDevMail(ctxOf(c), c.req.valid('query')) }, 200),
);

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

/** Text with its links made clickable (every piece escaped). */
function linkify(body: string): string {
  let out = '';
  let last = 0;
  for (const m of body.matchAll(URL_IN_TEXT)) {
    out += esc(body.slice(last, m.index));
    out += `<a href="${esc(m[0])}">${esc(m[0])}</a>`;
    last = m.index + m[0].length;
  }
  return out + esc(body.slice(last));
}

const item = (m: DevMailView) => `<article>
<h2>${esc(m.subject)}</h2>
<p>To <b class="to">${esc(m.to)}</b> · ${esc(m.kind)} · <time datetime="${esc(m.createdAt)}">${esc(m.createdAt)}</time></p>
<pre>${linkify(m.text)}</pre>
</article>`;

/** GET /dev/mail: a plain page for people (the JSON above is for scripts and tests). Not cached, not indexed. */
export async function devMailPage(c: AppContext): Promise<Response> {
  const ctx = ctxOf(c);
  try {
    assertDevMailbox(ctx);
  } catch {
    return c.text('Not found', 404);
  }
  const to = new URL(c.req.url).searchParams.get('to')?.slice(0, 254) || undefined;
  const items = await listDevMail(ctx, { to, limit: 50 });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Dev mailbox — Sabaq</title></head><body>
<main><h1>Dev mailbox</h1>
<p>Messages sent with EMAIL_PROVIDER=dev (local only; this page does not exist in production).</p>
<form method="get" action="/dev/mail"><label for="to">Recipient</label> <input id="to" name="to" type="email" value="${esc(to ?? '')}"> <button>Filter</button></form>
${items.length ? items.map(item).join('\n') : '<p>No messages yet.</p>'}
</main></body></html>`;
  return c.html(html, 200, { 'Cache-Control': 'private, no-store' });
}
