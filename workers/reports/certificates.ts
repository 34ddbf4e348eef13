import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { Actor, Ctx } from '../lib/context.ts';
import { PAGE_DEFAULT, decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { notFound } from '../lib/errors.ts';
import { col, iso, queryRows } from '../lib/sql.ts';
import { Localized, ReportStatusSchema, type CertificateItem, type CertificateVerification } from './schemas.ts';

const Revoked = z.object({ id: z.string() });
/**
 * Course certificates as the learner and the public see them. Each certificate carries a
 * verification code printed on its PDF (with a QR code of the public page). The code is
 * derived from the learner and the course with the server secret, so the completion
 * notification can link to the verification page before the certificate row exists, and it
 * cannot be guessed from ids.
 */

/** Crockford base32 without I, L, O, U: nothing to misread when typed from paper. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** The HMAC key per secret, imported once per isolate: every completed lesson derives a code. */
const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    // A failed import is not remembered.
    key.catch(() => keys.delete(secret));
    keys.set(secret, key);
  }
  return key;
}

export async function certificateCode(secret: string, userId: string, courseId: string): Promise<string> {
  const key = await hmacKey(secret);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`certificate:${userId}:${courseId}`)));
  let out = '';
  for (let i = 0; i < 12; i++) out += ALPHABET[mac[i]! & 31];
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8)}`;
}

/** What people type or scan: any case, spaces or no dashes; o→0, i/l→1 as Crockford reads them. */
export function normalizeCode(input: string): string | undefined {
  const raw = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (raw.length !== 12) return undefined;
  const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
  return CODE.test(code) ? code : undefined;
}

/** The public page a certificate's QR code leads to. */
export const verificationUrl = (origin: string, lang: string, code: string) => `${origin.replace(/\/$/, '')}/${lang}/certificates/${code}`;

/** What requestCertificate stored in reports.data (json: completedAt is an ISO string). */
const CertificateData = z.object({ courseTitle: Localized.optional(), completedAt: z.string().optional() });

const ItemRow = z.object({
  id: z.string(),
  verify_code: z.string().nullable(),
  course_id: z.string().nullable(),
  data: CertificateData,
  teacher_name: z.string().nullable(),
  status: ReportStatusSchema,
  revoked_at: col.ts.nullable(),
  created_at: col.ts,
  /** created_at as Postgres prints it (microseconds): the exact keyset position. */
  created_key: z.string(),
});

/** GET /api/me/certificates — the learner's own certificates, newest first. */
export async function listCertificates(ctx: Ctx, actor: Actor, q: { cursor?: string; limit?: number }): Promise<Page<CertificateItem>> {
  const limit = q.limit ?? PAGE_DEFAULT;
  const after = q.cursor ? await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET) : undefined;
  const rows = await queryRows(
    ctx.services.db.db,
    sql`select r.id, r.verify_code, r.course_id, r.data, u.name as teacher_name, r.status, r.revoked_at, r.created_at, r.created_at::text as created_key
        from reports r
        left join courses c on c.id = r.course_id
        left join users u on u.id = c.teacher_id
        where r.user_id = ${actor.id}::uuid and r.kind = 'certificate'
          ${after ? sql`and (r.created_at, r.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
        order by r.created_at desc, r.id desc
        limit ${limit + 1}`,
    ItemRow,
  );
  const page = await toPage(rows, limit, (r) => [r.created_key, r.id], ctx.config.JWT_SECRET);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((r) => ({
      id: r.id,
      code: r.verify_code,
      courseId: r.course_id,
      courseTitle: r.data.courseTitle ?? {},
      teacherName: r.teacher_name,
      completedAt: r.data.completedAt ?? iso(r.created_at)!,
      status: r.status,
      revoked: r.revoked_at !== null,
    })),
  };
}

const VerifyRow = z.object({
  verify_code: z.string(),
  learner_name: z.string(),
  course_id: z.string().nullable(),
  data: CertificateData,
  teacher_name: z.string().nullable(),
  revoked_at: col.ts.nullable(),
  created_at: col.ts,
});

/**
 * GET /api/certificates/{code} — public: what the certificate itself shows (learner's name,
 * course, teacher, date) and whether it is still valid. Nothing else about the learner.
 */
export async function verifyCertificate(ctx: Ctx, input: string): Promise<CertificateVerification> {
  const code = normalizeCode(input);
  if (!code) throw notFound('Certificate');
  const [r] = await queryRows(
    ctx.services.db.db,
    sql`select r.verify_code, l.name as learner_name, r.course_id, r.data, t.name as teacher_name, r.revoked_at, r.created_at
        from reports r
        join users l on l.id = r.user_id
        left join courses c on c.id = r.course_id
        left join users t on t.id = c.teacher_id
        where r.verify_code = ${code} and r.kind = 'certificate'
        limit 1`,
    VerifyRow,
  );
  if (!r) throw notFound('Certificate');
  return {
    code: r.verify_code,
    status: r.revoked_at ? 'revoked' : 'valid',
    learnerName: r.learner_name,
    courseId: r.course_id,
    courseTitle: r.data.courseTitle ?? {},
    teacherName: r.teacher_name,
    completedAt: r.data.completedAt ?? iso(r.created_at)!,
    revokedAt: iso(r.revoked_at),
  };
}

/** POST /api/admin/certificates/{code}/revoke — admins only; idempotent (the first revocation time stays). */
export async function revokeCertificate(ctx: Ctx, input: string): Promise<CertificateVerification> {
  const code = normalizeCode(input);
  if (!code) throw notFound('Certificate');
  const rows = await queryRows(
    ctx.services.db.db,
    sql`update reports set revoked_at = coalesce(revoked_at, now()), updated_at = now()
        where verify_code = ${code} and kind = 'certificate' returning id`,
    Revoked,
  );
  if (!rows.length) throw notFound('Certificate');
  return verifyCertificate(ctx, code);
}

/** The verification answer is public by design; a revocation shows within this many seconds. */
export const VERIFY_MAX_AGE = 300;
