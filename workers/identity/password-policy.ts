import commonPasswords from './data/common-passwords.ts';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

let common: Set<string> | undefined;

/** Common substitutions, undone to find the word under `p@ssw0rd`. */
const LEET: Record<string, string> = { '@': 'a', '4': 'a', '3': 'e', '0': 'o', '1': 'i', '!': 'i', $: 's', '5': 's', '7': 't' };

/** Only one character, or a straight run up or down (`aaaaaaaa`, `12345678`, `hgfedcba`). */
function isTrivialRun(value: string): boolean {
  const codes = [...value].map((ch) => ch.codePointAt(0)!);
  if (codes.length < 2) return true;
  const step = codes[1]! - codes[0]!;
  return Math.abs(step) <= 1 && codes.every((c, i) => i === 0 || c - codes[i - 1]! === step);
}

/**
 * The predictable variants of a password: the word left when leading and trailing digits
 * and symbols are cut (`password123`, `!!dragon2024`), with and without the usual
 * letter-for-digit substitutions (`p@ssw0rd1`).
 */
function variants(lower: string): string[] {
  const trim = (v: string) => v.replace(/^[\d\W_]+|[\d\W_]+$/gu, '');
  const unleet = (v: string) => [...v].map((ch) => LEET[ch] ?? ch).join('');
  const core = trim(lower);
  const found = [lower, core, unleet(lower), trim(unleet(lower)), unleet(core)];
  return [...new Set([...found, ...found.map((v) => v.replace(/i/g, 'l'))])].filter((v) => v.length >= 3);
}

/**
 * NIST 800-63B style: length, plus a block list; no composition rules. The block list also
 * catches its words dressed up with digits, symbols or substitutions (`password123`,
 * `P@ssw0rd!`) and runs like `aaaaaaaa` or `12345678`, which any guessing tool tries first.
 */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`;
  common ??= new Set(commonPasswords.split('\n'));
  const lower = password.toLowerCase();
  if (common.has(lower)) return 'This password is too common; choose another';
  if (isTrivialRun(lower)) return 'This password is a repeated or sequential run of characters; choose another';
  if (variants(lower).some((v) => common!.has(v) || isTrivialRun(v))) {
    return 'This password is a common word or pattern with a few digits, symbols or substitutions added; choose something less predictable';
  }
  return undefined;
}
