/**
 * Course covers and avatars: uploaded straight to R2, checked, then published under a
 * content-addressed name (`/images/<sha256>.<ext>`) that never changes, so it is cached forever.
 *
 * 1. `startUpload`: the client declares type and size; both are checked, the target authorised
 *    (someone else's course is a 404), and it gets a PUT URL plus a signed ticket (15 minutes).
 *    With R2's S3 credentials (production) the URL is an S3 presigned PUT to R2 with the type and
 *    length signed in. Locally miniflare's R2 has no S3 endpoint, so the URL is this Worker's
 *    `PUT /api/images/uploads/:ticket`, which streams the body to the R2 binding with the same checks.
 * 2. `completeUpload`: the object is read back and checked again — size, the real format from the
 *    magic bytes (a lying Content-Type is refused), dimensions from the header; EXIF/XMP is
 *    stripped (JPEG, PNG) or the file refused (WebP). Then it is stored under its hash and set
 *    as the course's cover or the user's avatar.
 */
import { eq } from 'drizzle-orm';
import { sign, verify } from 'hono/jwt';
import { users } from '../../db/schema/index.ts';
import { ownedCourse, updateCourse } from '../catalog/authoring.ts';
import type { Actor, Ctx } from '../lib/context.ts';
import { AppError, validationError } from '../lib/errors.ts';
import { EXTENSION, IMAGE_TYPES, MetadataRefused, sniffImage, stripMetadata, type ImageType } from './formats.ts';
import type { StoredImage, UploadPurpose, UploadRequest, UploadStart } from './schemas.ts';

/** One request body's worth (the API's body limit): a 1280×720 JPEG or WebP cover is far smaller. */
export const MAX_IMAGE_BYTES = 1024 * 1024;
export const MIN_SIDE = 64;
export const MAX_SIDE = 6000;
const TICKET_TTL_SEC = 15 * 60;
const AUDIENCE = 'sabaq-upload';

interface Ticket {
  sub: string;
  purpose: UploadPurpose;
  courseId: string | null;
  key: string;
  type: ImageType;
  size: number;
}

function bucket(ctx: Ctx): R2Bucket {
  const b = ctx.config.IMAGES_BUCKET;
  if (!b) throw new AppError('service_unavailable', 'Image storage is not configured', { missing: 'IMAGES_BUCKET' });
  return b;
}

const ticketSecret = (ctx: Ctx) => `image-upload:${ctx.config.JWT_SECRET}`;

async function readTicket(ctx: Ctx, token: string): Promise<Ticket> {
  try {
    const p = (await verify(token, ticketSecret(ctx), { alg: 'HS256', aud: AUDIENCE })) as unknown as Ticket;
    if (typeof p.sub !== 'string' || typeof p.key !== 'string' || !IMAGE_TYPES.includes(p.type)) throw new Error('bad ticket');
    return p;
  } catch {
    throw new AppError('not_found', 'This upload does not exist or has expired');
  }
}

function checkDeclared(type: string, size: number): asserts type is ImageType {
  if (!IMAGE_TYPES.includes(type as ImageType)) {
    throw new AppError('unsupported_media_type', 'Upload a PNG, JPEG or WebP image', { fields: { contentType: 'PNG, JPEG or WebP' } });
  }
  if (size > MAX_IMAGE_BYTES) {
    throw new AppError('payload_too_large', `The image is larger than ${MAX_IMAGE_BYTES} bytes`, {
      fields: { size: `at most ${MAX_IMAGE_BYTES} bytes` },
    });
  }
}

export async function startUpload(
  ctx: Ctx,
  actor: Actor,
  input: UploadRequest,
  workerUploadUrl: (ticket: string) => string,
): Promise<UploadStart> {
  checkDeclared(input.contentType, input.size);
  let courseId: string | null = null;
  if (input.purpose === 'course_cover') {
    if (!input.courseId) throw validationError({ courseId: 'Which course is the cover for?' });
    courseId = (await ownedCourse(ctx, actor, input.courseId)).id;
  }
  const key = `uploads/${crypto.randomUUID()}`;
  const now = Math.floor(ctx.services.now().getTime() / 1000);
  const claims = { sub: actor.id, purpose: input.purpose, courseId, key, type: input.contentType, size: input.size };
  const ticket = await sign({ ...claims, aud: AUDIENCE, iat: now, exp: now + TICKET_TTL_SEC }, ticketSecret(ctx), 'HS256');
  const headers = { 'Content-Type': input.contentType };
  const expiresAt = new Date((now + TICKET_TTL_SEC) * 1000).toISOString();
  const creds = r2ImageCredentials(ctx);
  if (creds) {
    const url = await presignPut(creds, key, input.contentType, input.size);
    return { method: 'PUT', url, headers, ticket, expiresAt, via: 'presigned' };
  }
  return { method: 'PUT', url: workerUploadUrl(ticket), headers, ticket, expiresAt, via: 'worker' };
}

/** The local stand-in for the presigned PUT: same limits, streamed to the binding, never more than declared. */
export async function receiveUpload(
  ctx: Ctx,
  actor: Actor,
  token: string,
  body: { contentType: string; contentLength: number | null; stream: ReadableStream<Uint8Array> | null },
): Promise<void> {
  const t = await readTicket(ctx, token);
  if (t.sub !== actor.id) throw new AppError('not_found', 'This upload does not exist or has expired');
  if (body.contentType.split(';')[0]!.trim() !== t.type) {
    throw new AppError('unsupported_media_type', `This upload was declared as ${t.type}`);
  }
  if (!body.stream || body.contentLength === null || body.contentLength > t.size || body.contentLength > MAX_IMAGE_BYTES) {
    throw new AppError('payload_too_large', `Send the ${t.size} bytes declared (with Content-Length)`);
  }
  // A fixed-length stream: R2 refuses a body that is longer or shorter than declared.
  const { readable, writable } = new FixedLengthStream(body.contentLength);
  const piped = body.stream.pipeTo(writable);
  await Promise.all([bucket(ctx).put(t.key, readable, { httpMetadata: { contentType: t.type } }), piped]);
}

/** Checks the uploaded object again, strips metadata, stores it under its hash and attaches it. */
export async function completeUpload(ctx: Ctx, actor: Actor, token: string): Promise<StoredImage> {
  const t = await readTicket(ctx, token);
  if (t.sub !== actor.id) throw new AppError('not_found', 'This upload does not exist or has expired');
  const store = bucket(ctx);
  const object = await store.get(t.key);
  if (!object) throw new AppError('conflict', 'Nothing was uploaded yet', { reason: 'not_uploaded' });
  try {
    if (object.size > MAX_IMAGE_BYTES || object.size > t.size) {
      throw new AppError('payload_too_large', `The image is larger than the ${t.size} bytes declared`);
    }
    const raw = new Uint8Array(await object.arrayBuffer());
    const info = sniffImage(raw);
    if (!info) throw new AppError('unsupported_media_type', 'The file is not a PNG, JPEG or WebP image');
    if (info.type !== t.type) throw new AppError('unsupported_media_type', `The file is a ${info.type}, not the ${t.type} declared`);
    if (info.width < MIN_SIDE || info.height < MIN_SIDE || info.width > MAX_SIDE || info.height > MAX_SIDE) {
      throw validationError(
        { image: `Between ${MIN_SIDE} and ${MAX_SIDE} pixels on each side` },
        `The image is ${info.width}×${info.height}`,
      );
    }
    let clean: Uint8Array;
    try {
      clean = stripMetadata(raw, info.type);
    } catch (err) {
      if (err instanceof MetadataRefused) {
        throw new AppError('unsupported_media_type', 'This WebP carries EXIF/XMP metadata (camera, location): export it without metadata');
      }
      throw err;
    }
    const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', clean))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const name = `${hash}.${EXTENSION[info.type]}`;
    // Same bytes, same name: a second upload of the same picture is a no-op.
    await store.put(`images/${name}`, clean, {
      httpMetadata: { contentType: info.type },
      customMetadata: { width: String(info.width), height: String(info.height) },
    });
    const url = `/images/${name}`;
    if (t.purpose === 'course_cover' && t.courseId) await updateCourse(ctx, actor, t.courseId, { coverUrl: url });
    else await ctx.services.db.db.update(users).set({ avatarUrl: url }).where(eq(users.id, actor.id));
    return { url, contentType: info.type, width: info.width, height: info.height, size: clean.length };
  } finally {
    // The staging object goes either way: a refused file is not kept.
    ctx.defer(store.delete(t.key));
  }
}

const IMAGE_NAME = /^[0-9a-f]{64}\.(png|jpg|webp)$/;

/** An uploaded image, for GET /images/:name. */
export async function readImage(ctx: Ctx, name: string): Promise<R2ObjectBody | null> {
  if (!IMAGE_NAME.test(name)) return null;
  return bucket(ctx).get(`images/${name}`);
}

interface R2ImageCredentials {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

function r2ImageCredentials(ctx: Ctx): R2ImageCredentials | undefined {
  const {
    R2_ACCOUNT_ID: accountId,
    R2_ACCESS_KEY_ID: accessKeyId,
    R2_SECRET_ACCESS_KEY: secretAccessKey,
    R2_IMAGES_BUCKET_NAME: b,
  } = ctx.config;
  return accountId && accessKeyId && secretAccessKey && b ? { accountId, accessKeyId, secretAccessKey, bucket: b } : undefined;
}

/** An S3 presigned PUT to R2 with the content type and length signed (signing is local: no network call). */
async function presignPut(creds: R2ImageCredentials, key: string, contentType: string, size: number): Promise<string> {
  const [{ S3Client, PutObjectCommand }, { getSignedUrl }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
  ]);
  const client = new S3Client({
    region: 'auto',
    endpoint: `https://${creds.accountId}.r2.cloudflarestorage.com`,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const command = new PutObjectCommand({ Bucket: creds.bucket, Key: key, ContentType: contentType, ContentLength: size });
  return getSignedUrl(client, command, { expiresIn: TICKET_TTL_SEC, signableHeaders: new Set(['content-type', 'content-length']) });
}
