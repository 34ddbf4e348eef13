import { afterEach, describe, expect, it } from 'vitest';
import { useDirectNetwork } from './direct-network.ts';

describe('useDirectNetwork', () => {
  const original = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = original;
  });

  it('leaves fetch alone without the binding, then sends every fetch of the isolate to the binding once bound', async () => {
    useDirectNetwork(undefined);
    useDirectNetwork({});
    expect(globalThis.fetch).toBe(original);

    const seen: { url: string; method: string; signal: boolean }[] = [];
    const network = {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        seen.push({ url: String(input), method: init?.method ?? 'GET', signal: init?.signal instanceof AbortSignal });
        return new Response('from the binding');
      },
    } as unknown as Fetcher;
    useDirectNetwork({ DIRECT_NETWORK: network });
    const res = await fetch('http://127.0.0.1:1/sql', { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
    expect(await res.text()).toBe('from the binding');
    expect(seen).toEqual([{ url: 'http://127.0.0.1:1/sql', method: 'POST', signal: true }]);

    // Once per isolate: a later env does not replace it.
    const other = { fetch: async () => new Response('other') } as unknown as Fetcher;
    useDirectNetwork({ DIRECT_NETWORK: other });
    expect(await (await fetch('http://127.0.0.1:1/')).text()).toBe('from the binding');
  });
});
