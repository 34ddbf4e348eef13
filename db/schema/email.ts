import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.ts';

/**
 * The local dev mailbox: with EMAIL_PROVIDER=dev every sent message lands here and is readable
 * at /dev/mail, so journeys that need an email (password reset, verification) stay testable
 * offline. Production (a real provider) never writes to it.
 */
export const devMail = pgTable(
  'dev_mail',
  {
    id: id(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    /** The template that produced it (password_reset, email_verify…). */
    kind: text('kind').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('dev_mail_to_idx').on(t.to, t.createdAt)],
);

export type DevMail = typeof devMail.$inferSelect;
