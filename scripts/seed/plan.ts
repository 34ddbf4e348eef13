/**
 * Row counts of a seeding run. Scale 1 is the planning documents' figure: 50,000 users,
 * 100,000 courses, 200,000 enrollments, 50,000 payments. Tests seed at 0.001.
 */
export interface SeedPlan {
  scale: number;
  /** Fixed seed of every pseudo-random choice: the same plan gives the same rows. */
  seed: number;
  users: number;
  admins: number;
  teachers: number;
  /** Teachers 1..verifiedTeachers are verified; only they own courses. */
  verifiedTeachers: number;
  parents: number;
  learners: number;
  courses: number;
  /** Modules per course: 2..4; lessons per module: 2..4 (~9 lessons a course). */
  minModules: number;
  maxModules: number;
  minLessons: number;
  maxLessons: number;
  enrollments: number;
  /** Share of enrollments with a review. */
  reviewShare: number;
  favorites: number;
  payments: number;
  attempts: number;
}

export function planFor(scale = 1, seed = 20261122): SeedPlan {
  const n = (x: number, min = 1) => Math.max(min, Math.round(x * scale));
  const users = n(50_000, 40);
  const admins = Math.max(1, Math.round(users * 0.0002));
  const teachers = Math.max(3, Math.round(users * 0.1));
  const parents = Math.max(3, Math.round(users * 0.14));
  const learners = users - admins - teachers - parents;
  return {
    scale,
    seed,
    users,
    admins,
    teachers,
    verifiedTeachers: Math.max(2, Math.floor(teachers * 0.92)),
    parents,
    learners,
    courses: n(100_000, 20),
    minModules: 2,
    maxModules: 4,
    minLessons: 2,
    maxLessons: 4,
    enrollments: n(200_000, 40),
    reviewShare: 0.25,
    favorites: n(100_000, 20),
    payments: n(50_000, 10),
    attempts: n(100_000, 20),
  };
}

/** First user number of each role (users are numbered 1..users in this order). */
export function roleRanges(p: SeedPlan) {
  const admin = 1;
  const teacher = admin + p.admins;
  const parent = teacher + p.teachers;
  const learner = parent + p.parents;
  return { admin, teacher, parent, learner };
}
