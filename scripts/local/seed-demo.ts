import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { hashPassword } from '../../workers/identity/password.ts';
import { seedDemoCatalog } from './demo-catalog.ts';
import { seedDemoQuiz } from './demo-quiz.ts';

export interface DemoAccount {
  role: 'admin' | 'learner' | 'parent' | 'teacher';
  email: string;
  password: string;
}

const generated = () => randomBytes(12).toString('base64url');

/**
 * The bootstrap admin (ADMIN_EMAIL / ADMIN_PASSWORD, else generated) and one demo user per
 * role, plus the demo catalog (courses, quizzes, two screenings, reviews, the parent's child). Generated passwords are kept in the data folder and printed at start; nothing is
 * hard-coded. Existing accounts are left as they are, so this is safe on every start.
 */
export async function seedDemo(opts: { databaseUrl: string; dataDir: string; pepper: string }): Promise<DemoAccount[]> {
  const file = join(opts.dataDir, 'demo-accounts.json');
  const known: DemoAccount[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoAccount[]) : [];
  const find = (role: DemoAccount['role']) => known.find((a) => a.role === role);

  const wanted: DemoAccount[] = [
    {
      role: 'admin',
      email: process.env.ADMIN_EMAIL || find('admin')?.email || 'admin@sabaq.local',
      password: process.env.ADMIN_PASSWORD || find('admin')?.password || generated(),
    },
    ...(['learner', 'parent', 'teacher'] as const).map((role) => ({
      role,
      email: `${role}@sabaq.local`,
      password: find(role)?.password || generated(),
    })),
  ];

  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  try {
    for (const account of wanted) {
      const hash = await hashPassword(account.password, opts.pepper);
      const names = { admin: 'Sabaq Admin', learner: 'Aida Learner', parent: 'Dana Parent', teacher: 'Нурлан Сейткали' };
      // An admin password given in the environment wins over the stored one.
      const fromEnv = account.role === 'admin' && Boolean(process.env.ADMIN_PASSWORD);
      await client.query(
        `insert into users (email, password_hash, name, language, role, teacher_status)
         values ($1, $2, $3, 'ru', $4, $5)
         on conflict (email) do ${fromEnv ? 'update set password_hash = excluded.password_hash' : 'nothing'}`,
        [account.email.toLowerCase(), hash, names[account.role], account.role, account.role === 'teacher' ? 'verified' : 'none'],
      );
    }
    await seedDemoCatalog(client, { teacherEmail: 'teacher@sabaq.local', parentEmail: 'parent@sabaq.local', pepper: opts.pepper });
    await seedDemoQuiz(client, 'teacher@sabaq.local');
  } finally {
    await client.end();
  }
  writeFileSync(file, JSON.stringify(wanted, null, 2), { mode: 0o600 });
  return wanted;
}
