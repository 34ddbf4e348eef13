import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertReachableByPostgresUser, blockedAncestor } from './postgres.ts';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('embedded Postgres as root from a private folder', () => {
  it('finds the folder the postgres user cannot enter (a mktemp -d is 0700)', () => {
    const priv = mkdtempSync(join(tmpdir(), 'sabaq-private-'));
    made.push(priv);
    chmodSync(priv, 0o700);
    const checkout = join(priv, 'checkout', 'node_modules');
    mkdirSync(checkout, { recursive: true });
    expect(blockedAncestor(checkout)).toBe(priv);
    chmodSync(priv, 0o711);
    expect(blockedAncestor(checkout)).toBeUndefined();
  });

  it('stops with a message that says why and what to do, instead of spawn initdb EACCES', () => {
    const priv = mkdtempSync(join(tmpdir(), 'sabaq-private-'));
    made.push(priv);
    chmodSync(priv, 0o700);
    expect(() => assertReachableByPostgresUser([join(priv, 'node_modules', 'bin')])).toThrow(
      /runs as the 'postgres' user, which cannot enter .*sabaq-private-.*clone the project into a folder other users can enter.*chmod o\+x.*DATABASE_URL/,
    );
  });

  it('an ordinary system folder passes (no false alarm)', () => {
    expect(blockedAncestor('/usr/bin')).toBeUndefined();
  });
});
