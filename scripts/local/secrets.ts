import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSecrets {
  JWT_SECRET: string;
  PASSWORD_PEPPER: string;
  METRICS_TOKEN: string;
  UPSTASH_REDIS_REST_TOKEN: string;
}

const NAMES: (keyof LocalSecrets)[] = ['JWT_SECRET', 'PASSWORD_PEPPER', 'METRICS_TOKEN', 'UPSTASH_REDIS_REST_TOKEN'];

const fresh = () => randomBytes(32).toString('base64url');

/**
 * Local secrets: taken from the environment when set, else generated once and kept in the
 * git-ignored data folder so sessions and password hashes survive a restart.
 */
export function loadLocalSecrets(dataDir: string | undefined): LocalSecrets {
  const file = dataDir ? join(dataDir, 'secrets.json') : undefined;
  let stored: Partial<LocalSecrets> = {};
  if (file && existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
  const secrets = {} as LocalSecrets;
  let changed = false;
  for (const name of NAMES) {
    const value = process.env[name] || stored[name];
    if (value) secrets[name] = value;
    else {
      secrets[name] = fresh();
      changed = true;
    }
  }
  if (file && changed) {
    mkdirSync(dataDir!, { recursive: true });
    writeFileSync(file, JSON.stringify({ ...stored, ...secrets }, null, 2), { mode: 0o600 });
  }
  return secrets;
}
