import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import type { Env } from '../env.ts';
import { imagesRoutes } from './routes.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { api, show } from '../../tests/support/http.ts';
import { registerUser, vars, verifiedTeacher, type TestUser } from '../../tests/support/users.ts';
import { hasMetadata, MetadataRefused, sniffImage, stripMetadata } from './formats.ts';
import { MAX_IMAGE_BYTES } from './uploads.ts';

// ---- tiny real images, built byte by byte -------------------------------------------------

const bytes = (...parts: (number[] | Uint8Array | string)[]) => {
  const arrays = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
};
const be16 = (n: number) => [(n >> 8) & 255, n & 255];
const be32 = (n: number) => [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
const le32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const le24 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255];

const pngChunk = (type: string, data: Uint8Array) => bytes(be32(data.length), type, data, [0, 0, 0, 0]);
function png(width: number, height: number, opts: { exif?: boolean } = {}) {
  return bytes(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    pngChunk('IHDR', bytes(be32(width), be32(height), [8, 2, 0, 0, 0])),
    opts.exif ? pngChunk('eXIf', bytes('MM\0*GPS 43.2N 76.9E')) : new Uint8Array(),
    pngChunk('IDAT', bytes([0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1])),
    pngChunk('IEND', new Uint8Array()),
  );
}
const segment = (marker: number, data: Uint8Array) => bytes([0xff, marker], be16(data.length + 2), data);
function jpeg(width: number, height: number, opts: { exif?: boolean; padding?: number } = {}) {
  return bytes(
    [0xff, 0xd8],
    segment(0xe0, bytes('JFIF\0', [1, 1, 0, 0, 1, 0, 1, 0, 0])),
    opts.exif ? segment(0xe1, bytes('Exif\0\0', 'GPS 43.2N 76.9E camera X100')) : new Uint8Array(),
    segment(0xc0, bytes([8], be16(height), be16(width), [1, 1, 0x11, 0])),
    segment(0xda, bytes([1, 1, 0, 0, 0x3f, 0])),
    new Uint8Array(opts.padding ?? 16).fill(0x55),
    [0xff, 0xd9],
  );
}
function webp(width: number, height: number, opts: { exif?: boolean } = {}) {
  const vp8x = bytes('VP8X', le32(10), [opts.exif ? 0x08 : 0, 0, 0, 0], le24(width - 1), le24(height - 1));
  const exif = opts.exif ? bytes('EXIF', le32(8), 'GPSDATA!') : new Uint8Array();
  const body = bytes('WEBP', vp8x, exif);
  return bytes('RIFF', le32(body.length), body);
}

describe('image formats (unit)', () => {
  it('reads type and dimensions from the header bytes', () => {
    expect(sniffImage(png(640, 360))).toEqual({ type: 'image/png', width: 640, height: 360 });
    expect(sniffImage(jpeg(1280, 720))).toEqual({ type: 'image/jpeg', width: 1280, height: 720 });
    expect(sniffImage(webp(800, 450))).toEqual({ type: 'image/webp', width: 800, height: 450 });
    expect(sniffImage(bytes('GIF89a', new Array(30).fill(0)))).toBeNull();
    expect(sniffImage(bytes('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBeNull();
  });

  it('strips EXIF from JPEG and PNG, keeps the image, and refuses WebP with EXIF', () => {
    for (const [img, type] of [
      [jpeg(100, 100, { exif: true }), 'image/jpeg'],
      [png(100, 100, { exif: true }), 'image/png'],
    ] as const) {
      expect(hasMetadata(img, type)).toBe(true);
      const clean = stripMetadata(img, type);
      expect(hasMetadata(clean, type)).toBe(false);
      expect(new TextDecoder().decode(clean)).not.toContain('GPS');
      expect(sniffImage(clean)).toEqual({ type, width: 100, height: 100 });
    }
    expect(() => stripMetadata(webp(100, 100, { exif: true }), 'image/webp')).toThrow(MetadataRefused);
    expect(stripMetadata(webp(100, 100), 'image/webp').length).toBe(webp(100, 100).length);
  });
});

// ---- the upload flow through the API ----------------------------------------------------

const start = (u: TestUser, body: Record<string, unknown>) => api('POST', '/api/images/uploads', { token: u.token, body });
const put = (u: TestUser, url: string, data: Uint8Array, type: string) =>
  api('PUT', new URL(url).pathname, {
    token: u.token,
    rawBody: data,
    headers: { 'content-type': type, 'content-length': String(data.length) },
  });
const complete = (u: TestUser, ticket: string) => api('POST', '/api/images/uploads/complete', { token: u.token, body: { ticket } });

async function upload(u: TestUser, target: Record<string, unknown>, data: Uint8Array, type: string, declared = type) {
  const s = await start(u, { ...target, contentType: declared, size: data.length });
  expect(s.status, show(s)).toBe(201);
  expect(s.body.via).toBe('worker');
  const p = await put(u, s.body.url, data, type);
  return { start: s, put: p, complete: p.status === 204 ? await complete(u, s.body.ticket) : undefined };
}

describe('course covers (happy)', () => {
  it('a teacher uploads a JPEG cover: EXIF is stripped, it is served immutable, and the course shows it', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher);
    const { complete: done } = await upload(
      teacher,
      { purpose: 'course_cover', courseId: course.id },
      jpeg(1280, 720, { exif: true }),
      'image/jpeg',
    );
    expect(done!.status, show(done!)).toBe(200);
    expect(done!.body).toMatchObject({ contentType: 'image/jpeg', width: 1280, height: 720 });
    expect(done!.body.url).toMatch(/^\/images\/[0-9a-f]{64}\.jpg$/);

    const img = await api('GET', done!.body.url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(img.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(img.text).not.toContain('GPS');

    const detail = await api('GET', `/api/courses/${course.id}`);
    expect(detail.body.coverUrl, show(detail)).toBe(done!.body.url);
    const page = await api('GET', `/en/courses/${course.id}`);
    expect(page.text).toContain(`property="og:image" content="http://sabaq.test${done!.body.url}"`);
  });

  it('without an upload the course has a generated SVG cover on its category colour', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher, { title: { en: 'Generated cover' }, language: 'en' });
    const svg = await api('GET', `/en/courses/${course.id}/cover.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(svg.text).toContain('Generated cover');
  });

  it('anyone uploads their own avatar (PNG); /api/me shows it', async () => {
    const learner = await registerUser();
    const { complete: done } = await upload(learner, { purpose: 'avatar' }, png(256, 256, { exif: true }), 'image/png');
    expect(done!.status, show(done!)).toBe(200);
    const me = await api('GET', '/api/me', { token: learner.token });
    expect(me.body.user.avatarUrl).toBe(done!.body.url);
  });
});

describe('upload checks (error)', () => {
  it.each([
    ['a GIF', { contentType: 'image/gif', size: 1000 }, 415],
    ['an SVG (scripts inside)', { contentType: 'image/svg+xml', size: 1000 }, 415],
    ['more than the limit', { contentType: 'image/png', size: MAX_IMAGE_BYTES + 1 }, 413],
  ])('declaring %s is refused before anything is uploaded', async (_, body, status) => {
    const u = await registerUser();
    const res = await start(u, { purpose: 'avatar', ...body });
    expect(res.status, show(res)).toBe(status);
  });

  it('a lying Content-Type (a JPEG declared as PNG) is refused after upload and nothing is attached', async () => {
    const u = await registerUser();
    const r = await upload(u, { purpose: 'avatar' }, jpeg(200, 200), 'image/png');
    expect(r.put.status, show(r.put)).toBe(204);
    expect(r.complete!.status, show(r.complete!)).toBe(415);
    expect((await api('GET', '/api/me', { token: u.token })).body.user.avatarUrl).toBeNull();
    // The staging object is gone: completing again finds nothing.
    await new Promise((res) => setTimeout(res, 100));
    expect((await complete(u, r.start.body.ticket)).status).toBe(409);
  });

  it('bytes that are not an image at all, a PUT with another type, and more bytes than declared are refused', async () => {
    const u = await registerUser();
    const junk = await upload(
      u,
      { purpose: 'avatar' },
      bytes('<html><script>alert(1)</script></html>', new Array(50).fill(32)),
      'image/png',
    );
    expect(junk.complete!.status, show(junk.complete!)).toBe(415);

    const s = await start(u, { purpose: 'avatar', contentType: 'image/png', size: 100 });
    const wrongType = await put(u, s.body.url, png(100, 100), 'image/jpeg');
    expect(wrongType.status, show(wrongType)).toBe(415);
    const tooLong = await put(u, s.body.url, jpeg(100, 100, { padding: 500 }), 'image/png');
    expect(tooLong.status, show(tooLong)).toBe(413);
  });

  it('a WebP with EXIF, and a too-small image, are refused', async () => {
    const u = await registerUser();
    const w = await upload(u, { purpose: 'avatar' }, webp(300, 300, { exif: true }), 'image/webp');
    expect(w.complete!.status, show(w.complete!)).toBe(415);
    const tiny = await upload(u, { purpose: 'avatar' }, png(10, 10), 'image/png');
    expect(tiny.complete!.status, show(tiny.complete!)).toBe(400);
  });
});

describe('upload authorization (security)', () => {
  it("someone else's course answers 404; a learner cannot set covers; someone else's ticket is useless", async () => {
    const owner = await verifiedTeacher();
    const other = await verifiedTeacher();
    const learner = await registerUser();
    const course = await createCourse(owner);
    const data = png(640, 360);
    for (const u of [other, learner]) {
      const res = await start(u, { purpose: 'course_cover', courseId: course.id, contentType: 'image/png', size: data.length });
      expect([403, 404], show(res)).toContain(res.status);
    }
    const s = await start(owner, { purpose: 'course_cover', courseId: course.id, contentType: 'image/png', size: data.length });
    expect((await put(other, s.body.url, data, 'image/png')).status).toBe(404);
    expect((await put(owner, s.body.url, data, 'image/png')).status).toBe(204);
    expect((await complete(other, s.body.ticket)).status).toBe(404);
    expect((await complete(learner, 'not.a.ticket')).status).toBe(404);
    expect((await api('POST', '/api/images/uploads', { body: { purpose: 'avatar', contentType: 'image/png', size: 10 } })).status).toBe(
      401,
    );
  });

  it('image names are content hashes only: anything else is a 404', async () => {
    for (const path of ['/images/../uploads/x', '/images/abc.png', `/images/${'a'.repeat(64)}.svg`]) {
      expect((await api('GET', path)).status, path).toBe(404);
    }
  });
});

describe('presigned uploads (production path)', () => {
  it('with R2 credentials the client gets an S3 presigned PUT with the type and length signed, and no Worker URL', async () => {
    const u = await registerUser();
    const app = createApp({ routers: [imagesRoutes] });
    const prod = {
      ...(vars as unknown as Env),
      IMAGES_BUCKET: (env as unknown as Env).IMAGES_BUCKET,
      R2_ACCOUNT_ID: 'acc0123456789',
      R2_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      R2_SECRET_ACCESS_KEY: 'secret-example-key',
      R2_IMAGES_BUCKET_NAME: 'sabaq-images',
    };
    const res = await app.request(
      '/api/images/uploads',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ purpose: 'avatar', contentType: 'image/webp', size: 12345 }),
      },
      prod,
    );
    const body = (await res.json()) as { via: string; url: string; method: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.via).toBe('presigned');
    const url = new URL(body.url);
    // Virtual-hosted style, as the reports' presigned downloads (R2 accepts both styles).
    expect(url.host).toBe('sabaq-images.acc0123456789.r2.cloudflarestorage.com');
    expect(url.pathname).toMatch(/^\/uploads\/[0-9a-f-]{36}$/);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('content-type');
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(900);
    expect(url.searchParams.has('x-amz-checksum-crc32')).toBe(false);
  });
});
