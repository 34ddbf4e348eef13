/**
 * Demo tests for a fresh `npm start`: two short parent-report screenings (anxiety, attention)
 * and three course quizzes. The screenings are written for the demo, say so in their
 * description, and never claim to diagnose: the bands describe what a parent noticed and
 * when to talk to a specialist, as a school psychologist would put it.
 */
import type { L } from './courses.ts';

const t = (ru: string, kk: string, en: string): L => ({ ru, kk, en });

/** 0–3 frequency words shared by both screenings. */
const FREQUENCY = [
  t('Никогда', 'Ешқашан', 'Never'),
  t('Иногда', 'Кейде', 'Sometimes'),
  t('Часто', 'Жиі', 'Often'),
  t('Почти всегда', 'Әрдайым дерлік', 'Almost always'),
];

const likert = (key: string, scale: string, text: L) => ({
  key,
  type: 'likert' as const,
  text,
  min: 0,
  max: 3,
  labels: FREQUENCY,
  scores: [{ scale, reverse: false }],
});

const DEMO_NOTE = t(
  'Демонстрационный опросник платформы Sabaq. Это не диагноз и не замена консультации специалиста.',
  'Sabaq платформасының демонстрациялық сауалнамасы. Бұл диагноз емес және маман кеңесінің орнын баспайды.',
  'A demo questionnaire of the Sabaq platform. It is not a diagnosis and does not replace a specialist.',
);

export interface DemoTest {
  key: string;
  /** The course the quiz belongs to (by demo course key). */
  course?: string;
  document: Record<string, unknown> & { kind: 'quiz' | 'assessment'; title: L };
}

export const ANXIETY_SCREENING: DemoTest = {
  key: 'anxiety-screening',
  document: {
    kind: 'assessment',
    courseId: null,
    title: t(
      'Тревожность у ребёнка 7–12 лет: опросник для родителей (демо)',
      '7–12 жастағы баладағы мазасыздық: ата-аналарға арналған сауалнама (демо)',
      'Anxiety in children aged 7–12: a questionnaire for parents (demo)',
    ),
    description: {
      ru: `Десять вопросов о последних двух неделях. Отвечайте, как обычно ведёт себя ребёнок, а не в самые трудные дни. ${DEMO_NOTE.ru}`,
      kk: `Соңғы екі апта туралы он сұрақ. Баланың ең қиын күндердегі емес, әдеттегі мінез-құлқы бойынша жауап беріңіз. ${DEMO_NOTE.kk}`,
      en: `Ten questions about the last two weeks. Answer for how your child usually is, not the hardest days. ${DEMO_NOTE.en}`,
    },
    timeLimitSec: null,
    scales: [
      {
        key: 'anxiety',
        title: t('Тревожность', 'Мазасыздық', 'Anxiety'),
        bands: [
          {
            min: 0,
            max: 9,
            label: t('В пределах обычного', 'Әдеттегі шекте', 'Within the usual range'),
            text: t(
              'Беспокойство ребёнка похоже на то, что бывает у большинства сверстников. Продолжайте разговаривать о чувствах; если что-то изменится, пройдите опросник снова через месяц.',
              'Баланың уайымы құрдастарының көпшілігінде болатынға ұқсайды. Сезімдер туралы сөйлесуді жалғастырыңыз; бірдеңе өзгерсе, сауалнамадан бір айдан кейін қайта өтіңіз.',
              'Your child’s worries look like those of most children of the same age. Keep talking about feelings; if something changes, take the questionnaire again in a month.',
            ),
          },
          {
            min: 10,
            max: 17,
            label: t('Заметная тревожность', 'Байқалатын мазасыздық', 'Noticeable anxiety'),
            text: t(
              'Тревога заметно присутствует в жизни ребёнка. Стоит обсудить наблюдения с классным руководителем или школьным психологом и понаблюдать, в каких ситуациях беспокойство сильнее.',
              'Мазасыздық баланың өмірінде айтарлықтай байқалады. Байқағандарыңызды сынып жетекшісімен немесе мектеп психологымен талқылап, уайым қай жағдайларда күшейетінін бақылаған жөн.',
              'Worry is clearly present in your child’s life. It is worth discussing what you see with the class teacher or the school psychologist, and noting in which situations the worry is strongest.',
            ),
          },
          {
            min: 18,
            max: 30,
            label: t('Выраженная тревожность', 'Айқын мазасыздық', 'Marked anxiety'),
            text: t(
              'Тревога, по вашим ответам, сильно влияет на повседневную жизнь ребёнка. Рекомендуем консультацию психолога или врача: только специалист после беседы с ребёнком и семьёй может оценить, нужна ли помощь.',
              'Жауаптарыңыз бойынша мазасыздық баланың күнделікті өміріне қатты әсер етеді. Психологтың немесе дәрігердің кеңесін алуды ұсынамыз: тек маман баламен және отбасымен сөйлескеннен кейін көмек қажет пе екенін бағалай алады.',
              'By your answers, worry strongly affects your child’s daily life. We recommend seeing a psychologist or a doctor: only a specialist, after talking with the child and the family, can judge whether help is needed.',
            ),
          },
        ],
      },
    ],
    questions: [
      likert(
        'worry',
        'anxiety',
        t(
          'Беспокоится о том, что может случиться что-то плохое',
          'Жаман бірдеңе болып қалады деп уайымдайды',
          'Worries that something bad will happen',
        ),
      ),
      likert(
        'school',
        'anxiety',
        t(
          'Волнуется перед контрольными или ответом у доски сильнее, чем одноклассники',
          'Бақылау жұмысы немесе тақта алдында жауап беру алдында сыныптастарынан қаттырақ толқиды',
          'Gets more nervous than classmates before tests or answering in class',
        ),
      ),
      likert(
        'body',
        'anxiety',
        t(
          'Жалуется на боль в животе или голове, когда предстоит что-то волнующее',
          'Толқытатын бірдеңе алдында іші немесе басы ауыратынын айтады',
          'Complains of tummy aches or headaches before something stressful',
        ),
      ),
      likert(
        'sleep',
        'anxiety',
        t(
          'С трудом засыпает из-за мыслей и тревог',
          'Ойлар мен уайымдардан ұйықтай алмай жатады',
          'Has trouble falling asleep because of worries',
        ),
      ),
      likert(
        'separation',
        'anxiety',
        t('Сильно переживает, когда расстаётся с вами', 'Сізбен қоштасқанда қатты уайымдайды', 'Gets very upset when separated from you'),
      ),
      likert(
        'reassurance',
        'anxiety',
        t(
          'Много раз переспрашивает, чтобы убедиться, что всё будет хорошо',
          'Бәрі жақсы болатынына көз жеткізу үшін қайта-қайта сұрайды',
          'Asks again and again to be sure everything will be all right',
        ),
      ),
      likert(
        'avoid',
        'anxiety',
        t(
          'Отказывается от занятий или встреч, потому что боится',
          'Қорыққандықтан сабақтардан немесе кездесулерден бас тартады',
          'Refuses activities or meetings because of fear',
        ),
      ),
      likert(
        'mistakes',
        'anxiety',
        t('Очень расстраивается из-за мелких ошибок', 'Кішкентай қателіктерден қатты ренжиді', 'Gets very upset about small mistakes'),
      ),
      likert(
        'new',
        'anxiety',
        t(
          'Боится новых мест и незнакомых людей',
          'Жаңа орындар мен бейтаныс адамдардан қорқады',
          'Is afraid of new places and people they don’t know',
        ),
      ),
      likert(
        'tense',
        'anxiety',
        t('Выглядит напряжённым, не может расслабиться', 'Қысылып жүреді, босаңсый алмайды', 'Looks tense, cannot relax'),
      ),
      {
        key: 'notes',
        type: 'text',
        text: t(
          'Что ещё вы хотели бы рассказать специалисту? (необязательно)',
          'Маманға тағы не айтқыңыз келеді? (міндетті емес)',
          'Anything else you would like a specialist to know? (optional)',
        ),
        maxLength: 1000,
      },
    ],
  },
};

export const ATTENTION_SCREENING: DemoTest = {
  key: 'attention-screening',
  document: {
    kind: 'assessment',
    courseId: null,
    title: t(
      'Внимание и активность у ребёнка 6–12 лет: опросник для родителей (демо)',
      '6–12 жастағы баланың зейіні мен белсенділігі: ата-аналарға арналған сауалнама (демо)',
      'Attention and activity in children aged 6–12: a questionnaire for parents (demo)',
    ),
    description: {
      ru: `Двенадцать вопросов о последних шести месяцах — дома, в школе, на кружках. ${DEMO_NOTE.ru}`,
      kk: `Соңғы алты ай туралы он екі сұрақ — үйде, мектепте, үйірмелерде. ${DEMO_NOTE.kk}`,
      en: `Twelve questions about the last six months, at home, at school and in clubs. ${DEMO_NOTE.en}`,
    },
    timeLimitSec: null,
    scales: [
      {
        key: 'inattention',
        title: t('Невнимательность', 'Зейінсіздік', 'Inattention'),
        bands: [
          {
            min: 0,
            max: 7,
            label: t('Как у большинства сверстников', 'Құрдастарының көпшілігіндей', 'Like most children of the age'),
            text: t(
              'Трудности с вниманием, которые вы отмечаете, обычны для этого возраста.',
              'Сіз байқаған зейін қиындықтары осы жасқа тән.',
              'The attention difficulties you describe are usual for this age.',
            ),
          },
          {
            min: 8,
            max: 12,
            label: t('Стоит понаблюдать', 'Бақылаған жөн', 'Worth watching'),
            text: t(
              'Ребёнку, похоже, труднее удерживать внимание, чем сверстникам. Помогают короткие задания, список дел и один источник отвлечения меньше. Спросите учителя, видит ли он то же в классе.',
              'Балаға құрдастарына қарағанда зейінін ұстау қиынырақ сияқты. Қысқа тапсырмалар, істер тізімі және алаңдататын нәрселерді азайту көмектеседі. Мұғалімнен сыныпта да солай ма екенін сұраңыз.',
              'Your child seems to find it harder to keep attention than peers. Short tasks, a checklist and one less distraction help. Ask the teacher whether they see the same in class.',
            ),
          },
          {
            min: 13,
            max: 18,
            label: t('Рекомендуется консультация', 'Кеңес алу ұсынылады', 'A consultation is advised'),
            text: t(
              'Трудности с вниманием, по вашим ответам, выражены и, вероятно, мешают учёбе. Обратитесь к школьному психологу или детскому неврологу/психиатру; для оценки специалисту понадобятся наблюдения и дома, и в школе.',
              'Жауаптарыңыз бойынша зейін қиындықтары айқын және оқуға кедергі келтіруі мүмкін. Мектеп психологына немесе балалар невропатологына/психиатрына жүгініңіз; бағалау үшін маманға үйдегі де, мектептегі де бақылаулар қажет.',
              'By your answers, attention difficulties are marked and probably get in the way of school. See the school psychologist or a child neurologist or psychiatrist; a specialist will need observations from both home and school.',
            ),
          },
        ],
      },
      {
        key: 'hyperactivity',
        title: t('Гиперактивность и импульсивность', 'Гипербелсенділік және импульсивтілік', 'Hyperactivity and impulsivity'),
        bands: [
          {
            min: 0,
            max: 7,
            label: t('Как у большинства сверстников', 'Құрдастарының көпшілігіндей', 'Like most children of the age'),
            text: t(
              'Подвижность ребёнка в пределах того, что обычно для его возраста.',
              'Баланың қозғалғыштығы оның жасына тән шекте.',
              'Your child’s level of activity is within what is usual for the age.',
            ),
          },
          {
            min: 8,
            max: 12,
            label: t('Стоит понаблюдать', 'Бақылаған жөн', 'Worth watching'),
            text: t(
              'Ребёнку трудно сдерживать движение и порывы чаще, чем сверстникам. Помогают движение между заданиями, понятные правила и похвала за ожидание своей очереди.',
              'Балаға қозғалысы мен ынтасын тежеу құрдастарына қарағанда жиірек қиын. Тапсырмалар арасындағы қозғалыс, түсінікті ережелер және кезегін күткені үшін мақтау көмектеседі.',
              'Your child finds it harder than peers to hold back movement and impulses. Movement breaks between tasks, clear rules and praise for waiting one’s turn help.',
            ),
          },
          {
            min: 13,
            max: 18,
            label: t('Рекомендуется консультация', 'Кеңес алу ұсынылады', 'A consultation is advised'),
            text: t(
              'Активность и импульсивность, по вашим ответам, выражены сильно. Обсудите это со школьным психологом или врачом: высокий балл — повод для обследования, а не диагноз.',
              'Жауаптарыңыз бойынша белсенділік пен импульсивтілік қатты байқалады. Мұны мектеп психологымен немесе дәрігермен талқылаңыз: жоғары балл — тексерілуге себеп, диагноз емес.',
              'By your answers, activity and impulsivity are strongly marked. Discuss it with the school psychologist or a doctor: a high score is a reason for an assessment, not a diagnosis.',
            ),
          },
        ],
      },
    ],
    questions: [
      likert(
        'details',
        'inattention',
        t(
          'Допускает ошибки по невнимательности в уроках',
          'Сабақтарда зейінсіздіктен қате жібереді',
          'Makes careless mistakes in schoolwork',
        ),
      ),
      likert(
        'focus',
        'inattention',
        t(
          'С трудом удерживает внимание на задании или игре',
          'Тапсырмаға немесе ойынға зейінін әрең ұстайды',
          'Has trouble keeping attention on a task or game',
        ),
      ),
      likert(
        'listen',
        'inattention',
        t('Кажется, не слушает, когда к нему обращаются', 'Өзіне сөйлегенде тыңдамайтын сияқты', 'Seems not to listen when spoken to'),
      ),
      likert('finish', 'inattention', t('Не доводит дела до конца', 'Істерді соңына дейін жеткізбейді', 'Does not finish what they start')),
      likert(
        'lose',
        'inattention',
        t('Теряет вещи, нужные для школы', 'Мектепке керек заттарын жоғалтады', 'Loses things needed for school'),
      ),
      likert(
        'distracted',
        'inattention',
        t(
          'Легко отвлекается на посторонние звуки и события',
          'Бөгде дыбыстар мен оқиғаларға оңай алаңдайды',
          'Is easily distracted by sounds and things around',
        ),
      ),
      likert(
        'fidget',
        'hyperactivity',
        t('Ёрзает, крутит что-то в руках', 'Орнында тыпыршып, қолындағы бірдеңені айналдырады', 'Fidgets or squirms'),
      ),
      likert(
        'seat',
        'hyperactivity',
        t('Встаёт с места, когда нужно сидеть', 'Отыру керек кезде орнынан тұрып кетеді', 'Leaves the seat when expected to stay seated'),
      ),
      likert(
        'run',
        'hyperactivity',
        t('Бегает и лазает там, где это неуместно', 'Орынсыз жерде жүгіріп, өрмелейді', 'Runs about or climbs where it is not appropriate'),
      ),
      likert('talk', 'hyperactivity', t('Слишком много говорит', 'Тым көп сөйлейді', 'Talks excessively')),
      likert(
        'blurt',
        'hyperactivity',
        t(
          'Отвечает, не дослушав вопрос',
          'Сұрақты соңына дейін тыңдамай жауап береді',
          'Blurts out answers before the question is finished',
        ),
      ),
      likert('wait', 'hyperactivity', t('С трудом ждёт своей очереди', 'Кезегін әрең күтеді', 'Has trouble waiting their turn')),
    ],
  },
};

const choice = (key: string, text: L, options: [string, L, boolean?][]) => ({
  key,
  type: 'single' as const,
  text,
  options: options.map(([k, o, correct]) => (correct ? { key: k, text: o, correct: true } : { key: k, text: o })),
});

export const DEMO_QUIZZES: DemoTest[] = [
  {
    key: 'fractions-quiz',
    course: 'math-basics',
    document: {
      kind: 'quiz',
      courseId: null,
      title: t(
        'Проверьте себя: дроби и проценты',
        'Өзіңізді тексеріңіз: бөлшектер мен пайыздар',
        'Check yourself: fractions and percentages',
      ),
      description: t('Пять вопросов по первому модулю.', 'Бірінші модуль бойынша бес сұрақ.', 'Five questions on the first module.'),
      timeLimitSec: 600,
      passMark: 0.6,
      scales: [],
      questions: [
        choice('equal', t('Какая дробь равна 1/2?', 'Қай бөлшек 1/2-ге тең?', 'Which fraction equals 1/2?'), [
          ['a', t('2/3', '2/3', '2/3')],
          ['b', t('3/6', '3/6', '3/6'), true],
          ['c', t('1/3', '1/3', '1/3')],
        ]),
        choice('percent', t('Сколько составляет 10% от 3 000?', '3 000-ның 10%-ы қанша?', 'What is 10% of 3,000?'), [
          ['a', t('30', '30', '30')],
          ['b', t('300', '300', '300'), true],
          ['c', t('3 000', '3 000', '3,000')],
        ]),
        choice(
          'double',
          t(
            'Скидка 50%, затем ещё 50%. Какая итоговая скидка?',
            '50% жеңілдік, содан кейін тағы 50%. Жалпы жеңілдік қанша?',
            '50% off, then another 50% off. What is the total discount?',
          ),
          [
            ['a', t('100%', '100%', '100%')],
            ['b', t('75%', '75%', '75%'), true],
            ['c', t('50%', '50%', '50%')],
          ],
        ),
        choice('solve', t('Решите: 2x + 5 = 17', 'Шешіңіз: 2x + 5 = 17', 'Solve: 2x + 5 = 17'), [
          ['a', t('x = 6', 'x = 6', 'x = 6'), true],
          ['b', t('x = 11', 'x = 11', 'x = 11')],
          ['c', t('x = 8', 'x = 8', 'x = 8')],
        ]),
        {
          key: 'fractions',
          type: 'multiple',
          text: t('Какие дроби больше 1/2?', 'Қай бөлшектер 1/2-ден үлкен?', 'Which fractions are greater than 1/2?'),
          options: [
            { key: 'a', text: t('3/4', '3/4', '3/4'), correct: true },
            { key: 'b', text: t('2/5', '2/5', '2/5') },
            { key: 'c', text: t('5/8', '5/8', '5/8'), correct: true },
          ],
        },
      ],
    },
  },
  {
    key: 'python-quiz',
    course: 'python-basics',
    document: {
      kind: 'quiz',
      courseId: null,
      title: t('Python: типы и циклы', 'Python: типтер мен циклдер', 'Python: types and loops'),
      description: t(
        'Четыре вопроса о первых программах.',
        'Алғашқы бағдарламалар туралы төрт сұрақ.',
        'Four questions about first programs.',
      ),
      timeLimitSec: null,
      passMark: 0.75,
      scales: [],
      questions: [
        choice('concat', t('Что выведет print("2" + "3")?', 'print("2" + "3") не шығарады?', 'What does print("2" + "3") show?'), [
          ['a', t('5', '5', '5')],
          ['b', t('23', '23', '23'), true],
          ['c', t('Ошибку', 'Қате', 'An error')],
        ]),
        choice('range', t('Сколько чисел даёт range(1, 6)?', 'range(1, 6) неше сан береді?', 'How many numbers does range(1, 6) give?'), [
          ['a', t('5', '5', '5'), true],
          ['b', t('6', '6', '6')],
          ['c', t('7', '7', '7')],
        ]),
        choice('type', t('Какой тип у значения 1.52?', '1.52 мәнінің типі қандай?', 'What is the type of 1.52?'), [
          ['a', t('int', 'int', 'int')],
          ['b', t('float', 'float', 'float'), true],
          ['c', t('str', 'str', 'str')],
        ]),
        choice(
          'indent',
          t(
            'Что определяет, какие строки входят в блок if?',
            'if блогына қай жолдар кіретінін не анықтайды?',
            'What decides which lines belong to an if block?',
          ),
          [
            ['a', t('Фигурные скобки', 'Фигуралық жақшалар', 'Curly braces')],
            ['b', t('Отступ', 'Шегініс', 'Indentation'), true],
            ['c', t('Слово end', 'end сөзі', 'The word end')],
          ],
        ),
      ],
    },
  },
  {
    key: 'kazakh-quiz',
    course: 'kazakh-first-steps',
    document: {
      kind: 'quiz',
      courseId: null,
      title: t('Казахский: алфавит и приветствия', 'Қазақ тілі: әліпби және сәлемдесу', 'Kazakh: alphabet and greetings'),
      timeLimitSec: null,
      passMark: 0.67,
      scales: [],
      questions: [
        choice(
          'hello',
          t('Как вежливо поздороваться со старшим?', 'Үлкенмен қалай сыпайы амандасады?', 'How do you greet an elder politely?'),
          [
            ['a', t('Сәлем!', 'Сәлем!', 'Сәлем!')],
            ['b', t('Сәлеметсіз бе!', 'Сәлеметсіз бе!', 'Сәлеметсіз бе!'), true],
          ],
        ),
        choice('plural', t('Множественное число слова «мектеп»:', '«Мектеп» сөзінің көпше түрі:', 'The plural of «мектеп»:'), [
          ['a', t('мектептар', 'мектептар', 'мектептар')],
          ['b', t('мектептер', 'мектептер', 'мектептер'), true],
        ]),
        choice('mother', t('«Менің анам» значит…', '«Менің анам» дегеніміз…', '«Менің анам» means…'), [
          ['a', t('моя мама', 'менің анам', 'my mother'), true],
          ['b', t('мой брат', 'менің ағам', 'my brother')],
          ['c', t('моя бабушка', 'менің әжем', 'my grandmother')],
        ]),
      ],
    },
  },
];

export const DEMO_ASSESSMENTS: DemoTest[] = [ANXIETY_SCREENING, ATTENTION_SCREENING];
