import { describe, expect, it } from 'vitest';
import { api, show } from '../../tests/support/http.ts';

describe('health and readiness', () => {
  it('health answers 200 and echoes a valid incoming request id', async () => {
    const res = await api('GET', '/api/health', { headers: { 'x-request-id': 'req-abc.123' } });
    expect(res.status, show(res)).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
  });

  it('generates a request id when the incoming one is missing or unsafe', async () => {
    const res = await api('GET', '/api/health', { headers: { 'x-request-id': 'bad id <script>' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ready answers 200 when Postgres and Redis both answer', async () => {
    const res = await api('GET', '/api/ready');
    expect(res.status, show(res)).toBe(200);
    expect(res.body.checks.postgres.ok).toBe(true);
    expect(res.body.checks.redis.ok).toBe(true);
  });
});

describe('error shape', () => {
  it('unknown API route is a JSON 404 with the request id', async () => {
    const res = await api('GET', '/api/nope', { headers: { 'x-request-id': 'r-404' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String), requestId: 'r-404' } });
  });

  it('a known path with the wrong method is a JSON 405 with Allow', async () => {
    const res = await api('DELETE', '/api/health');
    expect(res.status, show(res)).toBe(405);
    expect(res.body.error.code).toBe('method_not_allowed');
    expect(res.headers.get('allow')).toContain('GET');
  });

  it('a body over 1 MB is refused with 413', async () => {
    const res = await api('POST', '/api/health', {
      rawBody: 'x'.repeat(1024 * 1024 + 1),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status, show(res)).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });
});

describe('OpenAPI document', () => {
  it('is generated from the route definitions', async () => {
    const res = await api('GET', '/api/openapi.json');
    expect(res.status, show(res)).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/ready']));
  });

  it('is readable at /api/docs through our own Swagger UI assets, under the same CSP', async () => {
    const res = await api('GET', '/api/docs');
    expect(res.status, show(res)).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = res.text;
    // Every script and stylesheet is ours (no CDN at run time).
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) expect(ref, ref).toMatch(/^\/(vendor|api)\//);
    expect(html).not.toMatch(/<script>[^<]/);
    // The site build put the bundle among the static assets.
    for (const ref of refs.filter((r) => r.startsWith('/vendor/'))) {
      const asset = await api('GET', ref);
      expect(asset.status, ref).toBe(200);
      expect(asset.text.length, ref).toBeGreaterThan(100);
    }
  });
});

describe('security headers and CORS', () => {
  it('every response carries the security headers: the full set on pages, the API set on API answers', async () => {
    for (const path of ['/api/health', '/api/nope', '/ru/', '/api/docs']) {
      const res = await api('GET', path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('strict-transport-security'), path).toContain('max-age=');
      expect(res.headers.get('x-frame-options'), path).toBeTruthy();
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    // Pages (the site, and HTML under /api) get the site's policy and the document-only headers.
    for (const path of ['/ru/', '/api/docs']) {
      const res = await api('GET', path);
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(res.headers.get('permissions-policy'), path).toContain('camera=()');
    }
    // An API answer, never a page: nothing may run in it, nothing may frame it.
    for (const path of ['/api/health', '/api/nope']) {
      const res = await api('GET', path);
      expect(res.headers.get('content-security-policy'), path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('cross-origin-opener-policy'), path).toBeNull();
    }
  });

  it('an allowed origin gets a credentialed CORS grant and the exposed headers', async () => {
    const pre = await api('OPTIONS', '/api/auth/login', {
      headers: { origin: 'https://app.sabaq.test', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.sabaq.test');
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    const res = await api('GET', '/api/health', { headers: { origin: 'https://app.sabaq.test' } });
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
  });

  it('a foreign origin gets no CORS grant; a preflight from it is not allowed', async () => {
    const res = await api('GET', '/api/health', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await api('OPTIONS', '/api/auth/login', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });
});
