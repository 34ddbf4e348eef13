/**
 * Small word lists the scale seeder composes titles, descriptions and names from, in
 * Russian, Kazakh (with its own letters ә ғ қ ң ө ұ ү һ і) and English. Entries in one row
 * are translations of each other, so a course's titles agree across its languages and the
 * load scenarios can build realistic queries (and typos) from the same words.
 */
export type Lang = 'ru' | 'kk' | 'en';
export const LANGS: Lang[] = ['ru', 'kk', 'en'];
export type Tri = [ru: string, kk: string, en: string];

export interface Subject {
  slug: string;
  title: Tri;
  topics: Tri[];
  tags: string[];
}

export const SUBJECTS: Subject[] = [
  {
    slug: 'mathematics',
    title: ['Математика', 'Математика', 'Mathematics'],
    topics: [
      ['дроби и проценты', 'бөлшектер мен пайыздар', 'fractions and percentages'],
      ['квадратные уравнения', 'квадрат теңдеулер', 'quadratic equations'],
      ['тригонометрия', 'тригонометрия', 'trigonometry'],
      ['производная и интеграл', 'туынды және интеграл', 'derivatives and integrals'],
      ['теория вероятностей', 'ықтималдықтар теориясы', 'probability theory'],
      ['логарифмы и степени', 'логарифмдер мен дәрежелер', 'logarithms and powers'],
      ['геометрия на плоскости', 'жазықтықтағы геометрия', 'plane geometry'],
    ],
    tags: ['математика', 'алгебра', 'ЕНТ', 'олимпиада', 'math'],
  },
  {
    slug: 'physics',
    title: ['Физика', 'Физика', 'Physics'],
    topics: [
      ['законы Ньютона', 'Ньютон заңдары', "Newton's laws"],
      ['электричество и магнетизм', 'электр және магнетизм', 'electricity and magnetism'],
      ['оптика', 'оптика', 'optics'],
      ['термодинамика', 'термодинамика', 'thermodynamics'],
      ['механические колебания', 'механикалық тербелістер', 'mechanical oscillations'],
      ['атомная физика', 'атом физикасы', 'atomic physics'],
    ],
    tags: ['физика', 'механика', 'ЕНТ', 'physics'],
  },
  {
    slug: 'chemistry',
    title: ['Химия', 'Химия', 'Chemistry'],
    topics: [
      ['органическая химия', 'органикалық химия', 'organic chemistry'],
      ['химические реакции', 'химиялық реакциялар', 'chemical reactions'],
      ['периодическая таблица', 'периодтық кесте', 'the periodic table'],
      ['растворы и кислоты', 'ерітінділер мен қышқылдар', 'solutions and acids'],
      ['окислительно-восстановительные реакции', 'тотығу-тотықсыздану реакциялары', 'redox reactions'],
    ],
    tags: ['химия', 'лаборатория', 'chemistry'],
  },
  {
    slug: 'biology',
    title: ['Биология', 'Биология', 'Biology'],
    topics: [
      ['клетка и её строение', 'жасуша және оның құрылысы', 'the cell and its structure'],
      ['генетика', 'генетика', 'genetics'],
      ['анатомия человека', 'адам анатомиясы', 'human anatomy'],
      ['экология', 'экология', 'ecology'],
      ['ботаника', 'ботаника', 'botany'],
    ],
    tags: ['биология', 'генетика', 'biology'],
  },
  {
    slug: 'history-kz',
    title: ['История Казахстана', 'Қазақстан тарихы', 'History of Kazakhstan'],
    topics: [
      ['Казахское ханство', 'Қазақ хандығы', 'the Kazakh Khanate'],
      ['Великий шёлковый путь', 'Ұлы Жібек жолы', 'the Great Silk Road'],
      ['древние саки', 'ежелгі сақтар', 'the ancient Saka'],
      ['независимость Казахстана', 'Қазақстанның тәуелсіздігі', "Kazakhstan's independence"],
      ['Алаш Орда', 'Алаш Орда', 'Alash Orda'],
    ],
    tags: ['история', 'тарих', 'ҰБТ', 'history'],
  },
  {
    slug: 'kazakh',
    title: ['Казахский язык', 'Қазақ тілі', 'Kazakh language'],
    topics: [
      ['грамматика', 'грамматика', 'grammar'],
      ['разговорная речь', 'ауызекі сөйлеу', 'conversational speech'],
      ['падежи', 'септіктер', 'grammatical cases'],
      ['чтение и письмо', 'оқу және жазу', 'reading and writing'],
      ['лексика на каждый день', 'күнделікті лексика', 'everyday vocabulary'],
    ],
    tags: ['қазақ тілі', 'язык', 'kazakh'],
  },
  {
    slug: 'russian',
    title: ['Русский язык', 'Орыс тілі', 'Russian language'],
    topics: [
      ['орфография', 'орфография', 'spelling'],
      ['пунктуация', 'пунктуация', 'punctuation'],
      ['морфология', 'морфология', 'morphology'],
      ['сочинение', 'шығарма жазу', 'essay writing'],
    ],
    tags: ['русский язык', 'орыс тілі', 'russian'],
  },
  {
    slug: 'english',
    title: ['Английский язык', 'Ағылшын тілі', 'English'],
    topics: [
      ['грамматика времён', 'шақтар грамматикасы', 'English tenses'],
      ['разговорный английский', 'ауызекі ағылшын тілі', 'spoken English'],
      ['подготовка к IELTS', 'IELTS-ке дайындық', 'IELTS preparation'],
      ['деловой английский', 'іскерлік ағылшын тілі', 'business English'],
      ['словарный запас', 'сөздік қор', 'vocabulary'],
    ],
    tags: ['английский', 'ағылшын', 'IELTS', 'english'],
  },
  {
    slug: 'programming',
    title: ['Программирование', 'Бағдарламалау', 'Programming'],
    topics: [
      ['Python с нуля', 'Python негіздері', 'Python from scratch'],
      ['алгоритмы и структуры данных', 'алгоритмдер және деректер құрылымдары', 'algorithms and data structures'],
      ['веб-разработка', 'веб-әзірлеу', 'web development'],
      ['JavaScript и TypeScript', 'JavaScript және TypeScript', 'JavaScript and TypeScript'],
      ['базы данных и SQL', 'деректер қоры және SQL', 'databases and SQL'],
      ['машинное обучение', 'машиналық оқыту', 'machine learning'],
    ],
    tags: ['python', 'javascript', 'программирование', 'IT'],
  },
  {
    slug: 'computer-science',
    title: ['Информатика', 'Информатика', 'Computer science'],
    topics: [
      ['системы счисления', 'санау жүйелері', 'number systems'],
      ['алгебра логики', 'логика алгебрасы', 'Boolean logic'],
      ['компьютерные сети', 'компьютерлік желілер', 'computer networks'],
      ['кибербезопасность', 'киберқауіпсіздік', 'cybersecurity'],
    ],
    tags: ['информатика', 'IT', 'ЕНТ', 'computer science'],
  },
  {
    slug: 'geography',
    title: ['География', 'География', 'Geography'],
    topics: [
      ['физическая география', 'физикалық география', 'physical geography'],
      ['география Казахстана', 'Қазақстан географиясы', 'geography of Kazakhstan'],
      ['климат и погода', 'климат және ауа райы', 'climate and weather'],
      ['карты и навигация', 'карталар және навигация', 'maps and navigation'],
    ],
    tags: ['география', 'geography'],
  },
  {
    slug: 'literature',
    title: ['Литература', 'Әдебиет', 'Literature'],
    topics: [
      ['слова назидания Абая', 'Абайдың қара сөздері', "Abai's Words of Edification"],
      ['русская классика', 'орыс классикасы', 'Russian classics'],
      ['казахская поэзия', 'қазақ поэзиясы', 'Kazakh poetry'],
      ['мировая литература', 'әлем әдебиеті', 'world literature'],
    ],
    tags: ['литература', 'әдебиет', 'Абай', 'literature'],
  },
  {
    slug: 'economics',
    title: ['Экономика', 'Экономика', 'Economics'],
    topics: [
      ['финансовая грамотность', 'қаржылық сауаттылық', 'financial literacy'],
      ['микроэкономика', 'микроэкономика', 'microeconomics'],
      ['предпринимательство', 'кәсіпкерлік', 'entrepreneurship'],
      ['личный бюджет', 'жеке бюджет', 'personal budgeting'],
    ],
    tags: ['экономика', 'финансы', 'business'],
  },
  {
    slug: 'psychology',
    title: ['Психология', 'Психология', 'Psychology'],
    topics: [
      ['эмоциональный интеллект', 'эмоционалдық интеллект', 'emotional intelligence'],
      ['детская психология', 'балалар психологиясы', 'child psychology'],
      ['управление стрессом', 'стрессті басқару', 'stress management'],
      ['тайм-менеджмент', 'уақытты басқару', 'time management'],
    ],
    tags: ['психология', 'родителям', 'ата-аналарға', 'psychology'],
  },
  {
    slug: 'art',
    title: ['Рисование', 'Сурет салу', 'Drawing'],
    topics: [
      ['акварель', 'акварель', 'watercolor'],
      ['скетчинг', 'скетчинг', 'sketching'],
      ['цифровая иллюстрация', 'цифрлық иллюстрация', 'digital illustration'],
      ['композиция и цвет', 'композиция және түс', 'composition and color'],
    ],
    tags: ['рисование', 'сурет', 'art'],
  },
  {
    slug: 'music',
    title: ['Музыка', 'Музыка', 'Music'],
    topics: [
      ['игра на домбре', 'домбыра тарту', 'playing the dombra'],
      ['сольфеджио', 'сольфеджио', 'solfeggio'],
      ['гитара для начинающих', 'бастаушыларға гитара', 'guitar basics'],
      ['вокал', 'вокал', 'singing'],
    ],
    tags: ['музыка', 'домбыра', 'music'],
  },
  {
    slug: 'exam-prep',
    title: ['Подготовка к ЕНТ', 'ҰБТ-ға дайындық', 'UNT exam preparation'],
    topics: [
      ['математическая грамотность', 'математикалық сауаттылық', 'mathematical literacy'],
      ['грамотность чтения', 'оқу сауаттылығы', 'reading literacy'],
      ['пробные тесты', 'сынақ тесттері', 'practice tests'],
      ['история Казахстана для ЕНТ', 'ҰБТ-ға арналған Қазақстан тарихы', 'Kazakh history for the UNT'],
    ],
    tags: ['ЕНТ', 'ҰБТ', 'экзамен', 'exam'],
  },
];

/** Course levels, in the order of the `course_level` enum. */
export const LEVELS: Tri[] = [
  ['для начинающих', 'бастаушыларға арналған', 'for beginners'],
  ['средний уровень', 'орта деңгей', 'intermediate'],
  ['продвинутый курс', 'жоғары деңгей', 'advanced'],
];

/** What a course prepares for, used in descriptions. */
export const GOALS: Tri[] = [
  ['ЕНТ', 'ҰБТ', 'the UNT exam'],
  ['школьной олимпиаде', 'мектеп олимпиадасына', 'the school olympiad'],
  ['контрольной работе', 'бақылау жұмысына', 'the next test'],
  ['поступлению в университет', 'университетке түсуге', 'university admission'],
  ['новой работе', 'жаңа жұмысқа', 'a new job'],
];

/** Lesson kinds, for lesson and module titles. */
export const LESSON_KINDS: Tri[] = [
  ['Введение', 'Кіріспе', 'Introduction'],
  ['Основные понятия', 'Негізгі ұғымдар', 'Key ideas'],
  ['Разбор примеров', 'Мысалдарды талдау', 'Worked examples'],
  ['Практика', 'Практика', 'Practice'],
  ['Типичные ошибки', 'Жиі кездесетін қателер', 'Common mistakes'],
  ['Тест для самопроверки', 'Өзін-өзі тексеру тесті', 'Self-check quiz'],
  ['Итоги', 'Қорытынды', 'Summary'],
];

/** Phrases for lesson bodies (Markdown). */
export const LESSON_LINES: Tri[] = [
  ['В этом уроке мы разберём', 'Бұл сабақта біз талдаймыз:', 'In this lesson we look at'],
  [
    'Запишите ключевые определения и решите задачи ниже.',
    'Негізгі анықтамаларды жазып алып, төмендегі есептерді шығарыңыз.',
    'Write down the key definitions and solve the problems below.',
  ],
  ['Посмотрите видео и ответьте на вопросы.', 'Бейнені көріп, сұрақтарға жауап беріңіз.', 'Watch the video and answer the questions.'],
  [
    'Сравните свой ответ с решением в конце урока.',
    'Жауабыңызды сабақ соңындағы шешіммен салыстырыңыз.',
    'Compare your answer with the solution at the end.',
  ],
];

export const REVIEW_TEXTS: Tri[] = [
  [
    'Отличный курс, всё понятно объяснено.',
    'Керемет курс, бәрі түсінікті түсіндірілген.',
    'Great course, everything is explained clearly.',
  ],
  [
    'Много практики, помогло подготовиться к экзамену.',
    'Практика көп, емтиханға дайындалуға көмектесті.',
    'Lots of practice, it helped me prepare for the exam.',
  ],
  ['Хорошо, но хотелось бы больше примеров.', 'Жақсы, бірақ мысалдар көбірек болса екен.', 'Good, but I wish there were more examples.'],
  ['Преподаватель быстро отвечает на вопросы.', 'Оқытушы сұрақтарға тез жауап береді.', 'The teacher answers questions quickly.'],
  ['Слишком быстро для начинающих.', 'Бастаушылар үшін тым жылдам.', 'Too fast for beginners.'],
  ['Ребёнку очень понравилось.', 'Балаға қатты ұнады.', 'My child loved it.'],
];

export const MALE_FIRST = [
  'Нұрлан',
  'Ерлан',
  'Данияр',
  'Арман',
  'Тимур',
  'Олжас',
  'Ұлан',
  'Айдос',
  'Санжар',
  'Қайрат',
  'Бауыржан',
  'Еркебұлан',
  'Нұрсұлтан',
  'Әлихан',
  'Дмитрий',
  'Сергей',
  'Максим',
  'Андрей',
  'Илья',
  'James',
  'Daniel',
  'Michael',
];
export const FEMALE_FIRST = [
  'Айгерім',
  'Дана',
  'Әлия',
  'Асель',
  'Мадина',
  'Жанна',
  'Гүлнар',
  'Динара',
  'Аружан',
  'Ақбота',
  'Іңкәр',
  'Жұлдыз',
  'Өмірзая',
  'Анна',
  'Екатерина',
  'Ольга',
  'Наталья',
  'Мария',
  'Emily',
  'Olivia',
  'Sophia',
];
export const SURNAMES: [male: string, female: string][] = [
  ['Ахметов', 'Ахметова'],
  ['Серікбаев', 'Серікбаева'],
  ['Жұмабаев', 'Жұмабаева'],
  ['Қасымов', 'Қасымова'],
  ['Омаров', 'Омарова'],
  ['Нұрланов', 'Нұрланова'],
  ['Әбілов', 'Әбілова'],
  ['Мұқанов', 'Мұқанова'],
  ['Сәтбаев', 'Сәтбаева'],
  ['Исаев', 'Исаева'],
  ['Иванов', 'Иванова'],
  ['Кузнецов', 'Кузнецова'],
  ['Попов', 'Попова'],
  ['Ким', 'Ким'],
  ['Пак', 'Пак'],
  ['Цой', 'Цой'],
  ['Smith', 'Smith'],
  ['Brown', 'Brown'],
];

/** Capitalizes the first letter (Cyrillic and Kazakh letters included), in JS: Postgres' C locale would not. */
export const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase('ru') + s.slice(1);
