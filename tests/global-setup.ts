import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../scripts/local/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const pg = await startPostgres({
    externalUrl: process.env.TEST_DATABASE_URL,
    scratchDatabase: process.env.TEST_DATABASE_URL ? `sabaq_test_${process.pid}` : undefined,
    dataDir: mkdtempSync(join(tmpdir(), 'sabaq-test-')),
    persistent: false,
  });
  project.provide('databaseUrl', pg.url);
  return async () => {
    await pg.stop();
  };
}
