import type pg from 'pg';
import { renderLesson } from '../../workers/catalog/markdown.ts';

type L = { ru?: string; kk?: string; en?: string };

export const DEMO_CATEGORIES: { slug: string; title: L }[] = [
  { slug: 'math', title: { ru: 'Математика', kk: 'Математика', en: 'Mathematics' } },
  { slug: 'languages', title: { ru: 'Языки', kk: 'Тілдер', en: 'Languages' } },
  { slug: 'programming', title: { ru: 'Программирование', kk: 'Бағдарламалау', en: 'Programming' } },
  { slug: 'psychology', title: { ru: 'Психология', kk: 'Психология', en: 'Psychology' } },
];

const COURSES: {
  category: string;
  language: 'ru' | 'kk' | 'en';
  title: L;
  description: L;
  tags: string[];
  price: number;
  featured: boolean;
  level: string;
}[] = [
  {
    category: 'math',
    language: 'ru',
    level: 'beginner',
    price: 0,
    featured: true,
    tags: ['алгебра', 'школа'],
    title: { ru: 'Математика для начинающих', kk: 'Бастаушыларға арналған математика', en: 'Mathematics for beginners' },
    description: {
      ru: 'Дроби, уравнения и задачи на каждый день.',
      kk: 'Бөлшектер, теңдеулер және күнделікті есептер.',
      en: 'Fractions, equations and everyday problems.',
    },
  },
  {
    category: 'languages',
    language: 'kk',
    level: 'beginner',
    price: 0,
    featured: true,
    tags: ['қазақ тілі', 'грамматика'],
    title: { kk: 'Қазақ тілі: алғашқы қадамдар', ru: 'Казахский язык: первые шаги', en: 'Kazakh: first steps' },
    description: {
      kk: 'Әліпби, сәлемдесу және қарапайым сөйлемдер.',
      ru: 'Алфавит, приветствия и простые предложения.',
      en: 'Alphabet, greetings and simple sentences.',
    },
  },
  {
    category: 'programming',
    language: 'en',
    level: 'intermediate',
    price: 499000,
    featured: true,
    tags: ['python', 'programming'],
    title: { en: 'Python programming basics', ru: 'Основы программирования на Python', kk: 'Python бағдарламалау негіздері' },
    description: {
      en: 'Variables, loops, functions and a small project.',
      ru: 'Переменные, циклы, функции и небольшой проект.',
      kk: 'Айнымалылар, циклдер, функциялар және шағын жоба.',
    },
  },
  {
    category: 'psychology',
    language: 'ru',
    level: 'beginner',
    price: 0,
    featured: false,
    tags: ['родителям', 'эмоции'],
    title: {
      ru: 'Эмоции ребёнка: гид для родителей',
      kk: 'Баланың эмоциялары: ата-аналарға нұсқаулық',
      en: "A parent's guide to children's emotions",
    },
    description: {
      ru: 'Как распознать тревогу и поддержать ребёнка.',
      kk: 'Мазасыздықты қалай тануға және баланы қолдауға болады.',
      en: 'Recognising anxiety and supporting your child.',
    },
  },
  {
    category: 'languages',
    language: 'en',
    level: 'advanced',
    price: 0,
    featured: false,
    tags: ['english', 'writing'],
    title: { en: 'Academic English writing', ru: 'Академическое письмо на английском' },
    description: { en: 'Essays, structure and style.', ru: 'Эссе, структура и стиль.' },
  },
  {
    category: 'math',
    language: 'ru',
    level: 'advanced',
    price: 990000,
    featured: false,
    tags: ['геометрия', 'олимпиада'],
    title: { ru: 'Олимпиадная геометрия', kk: 'Олимпиадалық геометрия' },
    description: { ru: 'Задачи прошлых олимпиад с разбором.', kk: 'Өткен олимпиадалардың есептері талдаумен.' },
  },
];

const lessonBody = (n: number): L => ({
  ru: `# Урок ${n}\n\nВ этом уроке мы разберём основную идею и решим несколько задач.\n\n- понятие\n- пример\n- упражнение`,
  kk: `# ${n}-сабақ\n\nБұл сабақта негізгі идеяны талдап, бірнеше есеп шығарамыз.`,
  en: `# Lesson ${n}\n\nWe walk through the main idea and solve a few exercises.`,
});

/** A few published courses with modules and lessons, owned by the demo teacher. Skipped when present. */
export async function seedDemoCatalog(client: pg.Client, teacherEmail: string): Promise<number> {
  const { rows: teacher } = await client.query<{ id: string }>('select id from users where email = $1', [teacherEmail]);
  const teacherId = teacher[0]?.id;
  if (!teacherId) return 0;
  const { rows: existing } = await client.query<{ n: number }>('select count(*)::int as n from courses where teacher_id = $1', [teacherId]);
  if ((existing[0]?.n ?? 0) > 0) return 0;
  await client.query('begin');
  try {
    for (const [i, c] of DEMO_CATEGORIES.entries()) {
      await client.query('insert into categories (slug, title, position) values ($1, $2, $3) on conflict (slug) do nothing', [
        c.slug,
        c.title,
        i,
      ]);
    }
    for (const [i, c] of COURSES.entries()) {
      const { rows } = await client.query<{ id: string }>(
        `insert into courses (teacher_id, category_id, title, description, language, level, tags, price_amount, published, published_at, featured, featured_rank)
         values ($1, (select id from categories where slug = $2), $3, $4, $5, $6, $7, $8, true, now() - ($9 || ' minutes')::interval, $10, $11) returning id`,
        [teacherId, c.category, c.title, c.description, c.language, c.level, c.tags, c.price, String(i), c.featured, i],
      );
      const courseId = rows[0]!.id;
      for (let m = 0; m < 2; m++) {
        const { rows: mod } = await client.query<{ id: string }>(
          'insert into modules (course_id, title, position) values ($1, $2, $3) returning id',
          [courseId, { ru: `Модуль ${m + 1}`, kk: `${m + 1}-модуль`, en: `Module ${m + 1}` }, m],
        );
        for (let l = 0; l < 3; l++) {
          const n = m * 3 + l + 1;
          const body = lessonBody(n);
          const html = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, renderLesson(v!)]));
          await client.query(
            `insert into lessons (module_id, course_id, title, body, body_html, preview, duration_min, position) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [mod[0]!.id, courseId, { ru: `Урок ${n}`, kk: `${n}-сабақ`, en: `Lesson ${n}` }, body, html, n === 1, 10 + l * 5, l],
          );
        }
      }
    }
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
  return COURSES.length;
}
