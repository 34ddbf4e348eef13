import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { LocalizedText } from './catalog.ts';
import { createdAt, id, timestamps } from './columns.ts';

export const languageEnum = pgEnum('language', ['ru', 'kk', 'en']);
export const roleEnum = pgEnum('role', ['learner', 'parent', 'teacher', 'admin']);
export const teacherStatusEnum = pgEnum('teacher_status', ['none', 'pending', 'verified', 'rejected']);

export const users = pgTable(
  'users',
  {
    id: id(),
    /** Stored lower-cased; unique. */
    email: text('email').notNull(),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`, peppered with HMAC before hashing. */
    passwordHash: text('password_hash').notNull(),
    name: text('name').notNull(),
    language: languageEnum('language').notNull().default('ru'),
    role: roleEnum('role').notNull(),
    teacherStatus: teacherStatusEnum('teacher_status').notNull().default('none'),
    teacherReviewNote: text('teacher_review_note'),
    teacherReviewedAt: timestamp('teacher_reviewed_at', { withTimezone: true }),
    lastActiveAt: timestamp('last_active_at', { withTimezone: true }),
    /**
     * When the owner proved the address (the link of the verification email). Public
     * registration inserts null; every other insert (admin bootstrap, seeds, existing rows at
     * migration) is trusted and defaults to now. Unverified accounts learn but cannot publish or pay.
     */
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }).defaultNow(),
    /** `/images/<sha256>.<ext>`: an uploaded, checked photo served by the Worker (workers/images). */
    avatarUrl: text('avatar_url'),
    /** A teacher's public "about me" per language, shown on /{lang}/teachers/:id. */
    bio: jsonb('bio').$type<LocalizedText>(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    index('users_teacher_status_idx').on(t.teacherStatus, t.createdAt).where(sql`${t.role} = 'teacher'`),
  ],
);

/**
 * Refresh tokens: one row per issued token, grouped in families (one login = one family).
 * Only a hash of the token is stored. Reusing a rotated token revokes its whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

export const authTokenPurposeEnum = pgEnum('auth_token_purpose', ['password_reset', 'email_verify']);

/**
 * Single-use tokens sent by email (password reset, email verification). Only the SHA-256
 * of the token is stored; `usedAt` makes it single-use, `expiresAt` short-lived.
 */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: authTokenPurposeEnum('purpose').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('auth_tokens_hash_key').on(t.tokenHash), index('auth_tokens_user_idx').on(t.userId, t.purpose)],
);

/** Children have no login of their own; their parent owns every record about them. */
export const children = pgTable(
  'children',
  {
    id: id(),
    parentId: uuid('parent_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    birthYear: integer('birth_year').notNull(),
    language: languageEnum('language').notNull().default('ru'),
    ...timestamps(),
  },
  (t) => [
    index('children_parent_idx').on(t.parentId, t.createdAt),
    check('children_birth_year_check', sql`${t.birthYear} between 1990 and 2100`),
  ],
);

export type User = typeof users.$inferSelect;
export type Child = typeof children.$inferSelect;
export type Role = (typeof roleEnum.enumValues)[number];
export type Language = (typeof languageEnum.enumValues)[number];
