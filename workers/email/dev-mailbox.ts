import { desc, eq } from 'drizzle-orm';
import { devMail } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';
import { text } from '../lib/text.ts';
import type { EmailMessage, EmailProvider } from './provider.ts';

const Stored = text({ multiline: true });

/** EMAIL_PROVIDER=dev: "sending" stores the message; /dev/mail shows it. */
export function devMailbox(ctx: Ctx): EmailProvider {
  return {
    name: 'dev',
    async send(m: EmailMessage) {
      await ctx.services.db.db.insert(devMail).values({
        to: Stored.parse(m.to),
        subject: Stored.parse(m.subject),
        text: Stored.parse(m.text),
        html: Stored.parse(m.html),
        kind: Stored.parse(m.kind),
      });
    },
  };
}

export interface DevMailView {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: string;
  createdAt: string;
}

/** The mailbox exists only where the dev provider is chosen; elsewhere it does not exist at all (404). */
export function assertDevMailbox(ctx: Ctx): void {
  if (ctx.config.APP_ENV === 'production' || ctx.config.EMAIL_PROVIDER !== 'dev') throw new AppError('not_found', 'Not found');
}

/** Newest first; `to` narrows to one address (lower-cased as accounts store it). */
export async function listDevMail(ctx: Ctx, query: { to?: string; limit: number }): Promise<DevMailView[]> {
  assertDevMailbox(ctx);
  const { db } = ctx.services.db;
  const base = db.select().from(devMail);
  const rows = await (query.to ? base.where(eq(devMail.to, query.to.trim().toLowerCase())) : base)
    .orderBy(desc(devMail.createdAt), desc(devMail.id))
    .limit(query.limit);
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}
