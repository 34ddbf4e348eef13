/** Postgres errors as the Neon drivers surface them (SQLSTATE in `code`, maybe under `cause`). */
function pgError(err: unknown): { code?: string; constraint?: string } | undefined {
  let e: unknown = err;
  for (let i = 0; e && i < 4; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return e as { code: string; constraint?: string };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = pgError(err);
  return pg?.code === '23505' && (!constraint || pg.constraint === constraint || !pg.constraint);
}

export function isForeignKeyViolation(err: unknown): boolean {
  return pgError(err)?.code === '23503';
}

export function isExclusionViolation(err: unknown): boolean {
  return pgError(err)?.code === '23P01';
}

export function isCheckViolation(err: unknown): boolean {
  return pgError(err)?.code === '23514';
}
