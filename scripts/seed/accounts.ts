/** How seeded accounts look from outside: the email pattern, and the one password they share. */

/** Every seeded user's email ends with this; deleting them cascades to everything seeded. */
export const SEED_EMAIL_DOMAIN = 'seed.sabaq.local';

export type SeedRole = 'admin' | 'teacher' | 'parent' | 'learner';

/** `<role>.<k>@seed.sabaq.local`, k counting from 1 within the role. */
export const seedEmail = (role: SeedRole, k: number) => `${role}.${k}@${SEED_EMAIL_DOMAIN}`;

/**
 * One password for all seeded accounts (hashing 50,000 times at 100,000 PBKDF2 iterations
 * would take most of an hour). Local data only: SEED_PASSWORD overrides it.
 */
export const seededPassword = () => process.env.SEED_PASSWORD || 'sabaq-seed-2026';
