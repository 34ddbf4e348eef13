import commonPasswords from './data/common-passwords.ts';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

let common: Set<string> | undefined;

/** NIST 800-63B style: length only, plus a block list; no composition rules. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`;
  common ??= new Set(commonPasswords.split('\n'));
  if (common.has(password.toLowerCase())) return 'This password is too common; choose another';
  return undefined;
}
