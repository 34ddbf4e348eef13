import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startNeonEndpoint } from './neon-endpoint.ts';
import { freePort } from './ports.ts';
import { onFreePort } from './stack.ts';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

describe('a second stack on one machine', () => {
  it('the Neon endpoint falls back to a free port when the preferred one is taken', async () => {
    const preferred = await freePort();
    const first = await onFreePort('Neon endpoint', preferred, (port) => startNeonEndpoint({ port, log: () => {} }));
    open.push(first);
    const second = await onFreePort('Neon endpoint', preferred, (port) => startNeonEndpoint({ port, log: () => {} }));
    open.push(second);
    expect(first.httpEndpoint).toContain(`:${preferred}`);
    expect(second.httpEndpoint).not.toContain(`:${preferred}`);
  });

  it('a port taken between the check and the bind gets another try', async () => {
    const tried: number[] = [];
    const port = await onFreePort('test server', undefined, async (p) => {
      tried.push(p);
      if (tried.length === 1) throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
      return p;
    });
    expect(tried).toHaveLength(2);
    expect(port).toBe(tried[1]);
  });

  it('when no port can be had, the error says so plainly (no raw EADDRINUSE stack)', async () => {
    const busy = await occupy(await freePort());
    open.push({ close: () => new Promise((r) => busy.close(r)) });
    const always = () => Promise.reject(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }));
    await expect(onFreePort('Upstash endpoint', (busy.address() as { port: number }).port, always)).rejects.toThrow(
      /The Upstash endpoint could not get a port: \d+ is in use by another process/,
    );
  });
});
