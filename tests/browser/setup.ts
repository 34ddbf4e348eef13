/**
 * Global setup of the `browser` test project: Chromium present, then one ephemeral
 * platform (see platform.ts) for every browser test file; stopped after the run.
 * Tests read its address and the demo accounts with `platform()` from fixtures.ts.
 */
import type { TestProject } from 'vitest/node';
import { ensureChromium } from './chromium.ts';
import { startPlatform, type PlatformInfo } from './platform.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    browserPlatform: PlatformInfo;
  }
}

const log = (line: string) => console.log(`[browser] ${line}`);

export default async function setup(project: TestProject) {
  ensureChromium(log);
  const platform = await startPlatform({ log });
  project.provide('browserPlatform', {
    url: platform.url,
    accounts: platform.accounts,
    dataDir: platform.dataDir,
    databaseUrl: platform.databaseUrl,
  });
  return async () => {
    const started = Date.now();
    await platform.stop();
    log(`platform stopped in ${Date.now() - started} ms`);
  };
}
