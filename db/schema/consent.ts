import { sql } from 'drizzle-orm';
import { check, index, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { id } from './columns.ts';
import { children, users } from './identity.ts';

/**
 * What a user agreed to: the terms and the privacy notice at registration, and a parent's
 * consent to process a child's data (GDPR Art. 8, Kazakhstan's personal-data law).
 */
export const consentKindEnum = pgEnum('consent_kind', ['terms', 'privacy', 'child_data']);

/**
 * One row per consent given, with the version of the text agreed to and when; a withdrawal
 * sets withdrawn_at. A child's consent row outlives the child (child_id set null when the
 * child's data is deleted) so the withdrawal itself stays on record with the parent's account.
 */
export const consents = pgTable(
  'consents',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: consentKindEnum('kind').notNull(),
    /** The version of the text agreed to (e.g. the privacy notice's date). */
    version: text('version').notNull(),
    childId: uuid('child_id').references(() => children.id, { onDelete: 'set null' }),
    givenAt: timestamp('given_at', { withTimezone: true }).notNull().defaultNow(),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [
    index('consents_user_idx').on(t.userId, t.givenAt),
    index('consents_child_idx').on(t.childId).where(sql`${t.childId} is not null`),
    check('consents_version_check', sql`length(${t.version}) between 1 and 40`),
  ],
);

export type Consent = typeof consents.$inferSelect;
export type ConsentKind = (typeof consentKindEnum.enumValues)[number];
