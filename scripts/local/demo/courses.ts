/**
 * Demo courses for a fresh `npm start`: real, short lessons, so the first minute shows what the
 * platform is for. Local development only (never `seed:scale`, never production). Each course
 * is written in its own language; most carry translations, some only titles.
 */

export type L = { ru?: string; kk?: string; en?: string };

export interface DemoLesson {
  title: L;
  minutes: number;
  /** Free preview: readable without enrolling. */
  preview?: boolean;
  /** A public YouTube link (embedded privacy-friendly by the lesson renderer). */
  video?: string;
  body: L;
}

export interface DemoCourse {
  /** Stable key: what the seed finds the course by again. */
  key: string;
  category: string;
  language: 'ru' | 'kk' | 'en';
  level: 'beginner' | 'intermediate' | 'advanced';
  /** Minor units (tiyn); 0 = free. */
  price: number;
  featured: boolean;
  tags: string[];
  title: L;
  description: L;
  /** "What you will learn": optional for authors, given for some demo courses. */
  outcomes?: L[];
  modules: { title: L; lessons: DemoLesson[] }[];
}

export const DEMO_CATEGORIES: { slug: string; title: L }[] = [
  { slug: 'math', title: { ru: 'Математика', kk: 'Математика', en: 'Mathematics' } },
  { slug: 'languages', title: { ru: 'Языки', kk: 'Тілдер', en: 'Languages' } },
  { slug: 'programming', title: { ru: 'Программирование', kk: 'Бағдарламалау', en: 'Programming' } },
  { slug: 'psychology', title: { ru: 'Психология', kk: 'Психология', en: 'Psychology' } },
  { slug: 'science', title: { ru: 'Естественные науки', kk: 'Жаратылыстану', en: 'Science' } },
  { slug: 'history', title: { ru: 'История', kk: 'Тарих', en: 'History' } },
  { slug: 'finance', title: { ru: 'Финансы', kk: 'Қаржы', en: 'Finance' } },
  { slug: 'arts', title: { ru: 'Искусство', kk: 'Өнер', en: 'Arts' } },
];

export const DEMO_COURSES: DemoCourse[] = [
  {
    key: 'math-basics',
    category: 'math',
    language: 'ru',
    level: 'beginner',
    price: 0,
    featured: true,
    tags: ['алгебра', 'дроби', 'школа'],
    title: { ru: 'Математика для начинающих', kk: 'Бастаушыларға арналған математика', en: 'Mathematics for beginners' },
    description: {
      ru: 'Дроби, проценты и простые уравнения — на примерах из магазина, кухни и дороги в школу.',
      kk: 'Бөлшектер, пайыздар және қарапайым теңдеулер — дүкеннен, ас үйден және мектепке баратын жолдан алынған мысалдармен.',
      en: 'Fractions, percentages and simple equations, with examples from the shop, the kitchen and the way to school.',
    },
    outcomes: [
      { ru: 'Сравнивать и сокращать дроби', kk: 'Бөлшектерді салыстыру және қысқарту', en: 'Compare and simplify fractions' },
      {
        ru: 'Считать скидки и проценты в уме',
        kk: 'Жеңілдіктер мен пайыздарды ауызша есептеу',
        en: 'Work out discounts and percentages in your head',
      },
      {
        ru: 'Решать линейные уравнения и текстовые задачи',
        kk: 'Сызықтық теңдеулер мен мәтінді есептерді шығару',
        en: 'Solve linear equations and word problems',
      },
    ],
    modules: [
      {
        title: { ru: 'Числа и доли', kk: 'Сандар мен үлестер', en: 'Numbers and parts' },
        lessons: [
          {
            title: { ru: 'Что такое дробь', kk: 'Бөлшек деген не', en: 'What a fraction is' },
            minutes: 12,
            preview: true,
            body: {
              ru: `Дробь показывает, **сколько частей** мы взяли от целого. В записи 3/4 нижнее число (знаменатель) говорит, на сколько равных частей разрезали целое, а верхнее (числитель) — сколько частей взяли.

## Пример из жизни
Пиццу разрезали на 8 равных кусков, вы съели 3. Вы съели 3/8 пиццы, осталось 5/8.

## Равные дроби
1/2 и 2/4 — одна и та же доля: если умножить числитель и знаменатель на одно число, дробь не изменится.

## Упражнение
1. Какая часть недели приходится на выходные?
2. Запишите 6/8 с меньшим знаменателем.

*Ответы: 2/7; 3/4.*`,
              kk: `Бөлшек бүтіннің **неше бөлігін** алғанымызды көрсетеді. 3/4 жазбасында төменгі сан (бөлім) бүтінді неше тең бөлікке бөлгенімізді, ал жоғарғы сан (алым) неше бөлік алғанымызды білдіреді.

## Өмірден мысал
Пиццаны 8 тең бөлікке бөлдік, сіз 3 бөлігін жедіңіз. Сіз пиццаның 3/8 бөлігін жедіңіз, 5/8 бөлігі қалды.

## Тең бөлшектер
1/2 мен 2/4 — бір үлес: алым мен бөлімді бір санға көбейтсек, бөлшек өзгермейді.

## Жаттығу
1. Аптаның қандай бөлігі демалыс күндеріне келеді?
2. 6/8 бөлшегін кішірек бөліммен жазыңыз.

*Жауаптары: 2/7; 3/4.*`,
              en: `A fraction tells **how many parts** of a whole we took. In 3/4 the bottom number (the denominator) says into how many equal parts the whole was cut, the top number (the numerator) how many of them we took.

## An everyday example
A pizza is cut into 8 equal slices and you eat 3. You ate 3/8 of the pizza; 5/8 is left.

## Equal fractions
1/2 and 2/4 are the same share: multiplying the top and the bottom by the same number does not change a fraction.

## Exercise
1. What part of a week is the weekend?
2. Write 6/8 with a smaller denominator.

*Answers: 2/7; 3/4.*`,
            },
          },
          {
            title: { ru: 'Проценты вокруг нас', kk: 'Айналамыздағы пайыздар', en: 'Percentages around us' },
            minutes: 15,
            body: {
              ru: `Процент — это сотая часть: 1% = 1/100. Когда в магазине пишут «скидка 20%», это значит, что цена уменьшится на 20 сотых от исходной.

## Как считать
Чтобы найти 20% от 5 000 тенге, умножьте 5 000 на 0,2: получится 1 000 тенге скидки, платить нужно 4 000.

## Частая ошибка
Скидка 50%, а потом ещё 50% — это не «бесплатно». Сначала цена становится 1/2, потом половина от половины — 1/4. Итоговая скидка 75%.

## Упражнение
Куртка стоила 20 000 тенге, её уценили на 15%. Сколько она стоит теперь? *(17 000 тенге)*`,
              kk: `Пайыз — жүзден бір бөлік: 1% = 1/100. Дүкенде «20% жеңілдік» деп жазылса, баға бастапқы бағаның 20 жүздік бөлігіне азаяды.

## Қалай есептейміз
5 000 теңгенің 20%-ын табу үшін 5 000-ды 0,2-ге көбейтіңіз: жеңілдік 1 000 теңге, төлейтініңіз 4 000 теңге.

## Жиі кездесетін қате
50% жеңілдіктен кейін тағы 50% — бұл «тегін» емес. Алдымен баға 1/2 болады, содан кейін жартының жартысы — 1/4. Жалпы жеңілдік 75%.

## Жаттығу
Куртка 20 000 теңге тұрған, бағасы 15%-ға түсті. Енді қанша тұрады? *(17 000 теңге)*`,
              en: `A per cent is a hundredth: 1% = 1/100. When a shop says "20% off", the price drops by 20 hundredths of what it was.

## How to compute it
To find 20% of 5,000 tenge, multiply 5,000 by 0.2: the discount is 1,000 tenge and you pay 4,000.

## A common mistake
50% off and then another 50% off is not "free". First the price halves, then it halves again: 1/4 is left, a 75% discount in total.

## Exercise
A jacket cost 20,000 tenge and is marked down by 15%. What does it cost now? *(17,000 tenge)*`,
            },
          },
        ],
      },
      {
        title: { ru: 'Уравнения', kk: 'Теңдеулер', en: 'Equations' },
        lessons: [
          {
            title: { ru: 'Уравнение как весы', kk: 'Теңдеу — таразы', en: 'An equation is a balance' },
            minutes: 14,
            body: {
              ru: `Представьте весы: слева x + 3 кг, справа 10 кг, и весы в равновесии. Если снять по 3 кг с обеих чаш, равновесие сохранится: x = 7.

## Правило
С обеими частями уравнения можно делать одно и то же: прибавлять, вычитать, умножать и делить (кроме деления на ноль).

## Пример
2x + 5 = 17
2x = 12 (вычли 5)
x = 6 (разделили на 2)

**Проверка:** 2 · 6 + 5 = 17 — верно. Всегда подставляйте ответ обратно.

## Упражнение
Решите 3x − 4 = 11. *(x = 5)*`,
              kk: `Таразыны елестетіңіз: сол жағында x + 3 кг, оң жағында 10 кг, тараза теңгерілген. Екі табақтан да 3 кг алсақ, теңгерім сақталады: x = 7.

## Ереже
Теңдеудің екі жағымен де бірдей амал жасауға болады: қосу, азайту, көбейту және бөлу (нөлге бөлуден басқа).

## Мысал
2x + 5 = 17
2x = 12 (5-ті азайттық)
x = 6 (2-ге бөлдік)

**Тексеру:** 2 · 6 + 5 = 17 — дұрыс. Жауапты әрқашан орнына қойып тексеріңіз.

## Жаттығу
3x − 4 = 11 теңдеуін шешіңіз. *(x = 5)*`,
              en: `Picture a balance: x + 3 kg on the left, 10 kg on the right, and it is level. Take 3 kg off both pans and it stays level: x = 7.

## The rule
You may do the same thing to both sides of an equation: add, subtract, multiply and divide (but never divide by zero).

## Example
2x + 5 = 17
2x = 12 (subtract 5)
x = 6 (divide by 2)

**Check:** 2 · 6 + 5 = 17, correct. Always put the answer back in.

## Exercise
Solve 3x − 4 = 11. *(x = 5)*`,
            },
          },
          {
            title: { ru: 'Текстовые задачи', kk: 'Мәтінді есептер', en: 'Word problems' },
            minutes: 18,
            body: {
              ru: `Текстовая задача — это уравнение, спрятанное в словах. Алгоритм:

1. Обозначьте неизвестное буквой (что спрашивают?).
2. Запишите связи из условия как равенство.
3. Решите уравнение и **ответьте на вопрос задачи** словами.

## Пример
У Айгерим в 3 раза больше марок, чем у Тимура, а вместе у них 48 марок. Сколько марок у Тимура?

Пусть у Тимура x марок, у Айгерим 3x. Тогда x + 3x = 48, 4x = 48, x = 12.
**Ответ:** у Тимура 12 марок, у Айгерим 36.`,
              en: `A word problem is an equation hidden in words. The method:

1. Name the unknown with a letter (what is asked?).
2. Write what the problem says as an equality.
3. Solve it and **answer the question** in words.

## Example
Aigerim has 3 times as many stamps as Timur; together they have 48. How many does Timur have?

Let Timur have x stamps, Aigerim 3x. Then x + 3x = 48, 4x = 48, x = 12.
**Answer:** Timur has 12 stamps, Aigerim 36.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'kazakh-first-steps',
    category: 'languages',
    language: 'kk',
    level: 'beginner',
    price: 0,
    featured: true,
    tags: ['қазақ тілі', 'грамматика', 'сөйлесу'],
    title: { kk: 'Қазақ тілі: алғашқы қадамдар', ru: 'Казахский язык: первые шаги', en: 'Kazakh: first steps' },
    description: {
      kk: 'Әліпби, сәлемдесу, өзіңіз және отбасыңыз туралы қарапайым сөйлемдер.',
      ru: 'Алфавит, приветствия и простые предложения о себе и своей семье.',
      en: 'The alphabet, greetings and simple sentences about yourself and your family.',
    },
    modules: [
      {
        title: { kk: 'Бастау', ru: 'Начало', en: 'Getting started' },
        lessons: [
          {
            title: { kk: 'Қазақ әліпбиі', ru: 'Казахский алфавит', en: 'The Kazakh alphabet' },
            minutes: 10,
            preview: true,
            body: {
              kk: `Қазақ әліпбиінде орыс әліпбиіндегі әріптерден басқа тоғыз ерекше әріп бар: **Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І**.

## Жуан және жіңішке дауыстылар
Қазақ тілінде сингармонизм заңы бар: бір сөздегі дауыстылар не жуан (а, о, ұ, ы), не жіңішке (ә, ө, ү, і) болады. Сондықтан: *бала — балалар*, бірақ *мектеп — мектептер*.

## Жаттығу
Мына сөздерді дауыстап оқыңыз: *әже, қала, таң, өзен, ұл, үй, іні*.`,
              ru: `В казахском алфавите, кроме букв русского алфавита, есть девять особых: **Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І**.

## Твёрдые и мягкие гласные
В казахском действует закон сингармонизма: гласные в одном слове либо все твёрдые (а, о, ұ, ы), либо все мягкие (ә, ө, ү, і). Поэтому: *бала — балалар* (ребёнок — дети), но *мектеп — мектептер* (школа — школы).

## Упражнение
Прочитайте вслух: *әже* (бабушка), *қала* (город), *таң* (рассвет), *өзен* (река), *ұл* (сын), *үй* (дом), *іні* (младший брат).`,
              en: `Besides the letters of the Russian alphabet, Kazakh has nine of its own: **Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І**.

## Back and front vowels
Kazakh follows vowel harmony: the vowels of one word are either all back (а, о, ұ, ы) or all front (ә, ө, ү, і). Hence *бала — балалар* (child — children) but *мектеп — мектептер* (school — schools).

## Exercise
Read aloud: *әже* (grandmother), *қала* (city), *таң* (dawn), *өзен* (river), *ұл* (son), *үй* (house), *іні* (younger brother).`,
            },
          },
          {
            title: { kk: 'Сәлемдесу және танысу', ru: 'Приветствие и знакомство', en: 'Greetings and introductions' },
            minutes: 12,
            body: {
              kk: `## Сәлемдесу
- **Сәлеметсіз бе!** — үлкенге немесе бейтаныс адамға.
- **Сәлем!** — досқа, құрдасқа.
- **Қалыңыз қалай?** — Жағдайыңыз қалай? **Жақсы, рақмет!**

## Танысу
— Сіздің атыңыз кім?
— Менің атым Айгерім. Ал сіздің?
— Менің атым Тимур. Танысқаныма қуаныштымын!

## Есте сақтаңыз
«Сіз» — сыпайы түрі, «сен» — жақын адамға. Мұғалімге әрқашан «сіз» деп айтамыз.`,
              ru: `## Приветствие
- **Сәлеметсіз бе!** — старшему или незнакомому человеку.
- **Сәлем!** — другу, ровеснику.
- **Қалыңыз қалай?** — Как ваши дела? **Жақсы, рақмет!** — Хорошо, спасибо!

## Знакомство
— Сіздің атыңыз кім? (Как вас зовут?)
— Менің атым Айгерім. Ал сіздің? (Меня зовут Айгерим. А вас?)
— Менің атым Тимур. Танысқаныма қуаныштымын! (Рад знакомству!)

## Запомните
«Сіз» — вежливая форма, «сен» — для близких. К учителю всегда обращаются на «сіз».`,
            },
          },
          {
            title: { kk: 'Менің отбасым', ru: 'Моя семья', en: 'My family' },
            minutes: 12,
            body: {
              kk: `## Сөздік
*әке* — әке, *ана* — ана, *аға* — үлкен ағасы, *әпке* — үлкен әпкесі, *іні* — інісі, *қарындас / сіңлі* — қарындасы, *ата* — атасы, *әже* — әжесі.

## Тәуелдік жалғау
*менің анам, менің әкем, менің інім* — «-м / -ым / -ім» жалғауы «менің» дегенді білдіреді.

## Мәтін
Менің отбасым үлкен. Әкем — дәрігер, анам — мұғалім. Менің бір ағам және бір қарындасым бар. Демалыс күндері біз әжемнің үйіне барамыз.

## Тапсырма
Өз отбасыңыз туралы үш сөйлем жазыңыз.`,
              ru: `## Словарь
*әке* — отец, *ана* — мать, *аға* — старший брат, *әпке* — старшая сестра, *іні* — младший брат (у мужчины), *қарындас / сіңлі* — младшая сестра, *ата* — дедушка, *әже* — бабушка.

## Притяжательное окончание
*менің анам, менің әкем, менің інім* — окончание «-м / -ым / -ім» значит «мой».

## Текст
Менің отбасым үлкен. (Моя семья большая.) Әкем — дәрігер, анам — мұғалім. (Отец — врач, мама — учитель.) Менің бір ағам және бір қарындасым бар. Демалыс күндері біз әжемнің үйіне барамыз. (По выходным мы ездим к бабушке.)

## Задание
Напишите три предложения о своей семье по-казахски.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'python-basics',
    category: 'programming',
    language: 'en',
    level: 'intermediate',
    price: 499000,
    featured: true,
    tags: ['python', 'programming', 'beginner-friendly'],
    title: { en: 'Python programming basics', ru: 'Основы программирования на Python', kk: 'Python бағдарламалау негіздері' },
    description: {
      en: 'Variables, conditions, loops and functions, ending with a small quiz game you write yourself.',
      ru: 'Переменные, условия, циклы и функции, а в конце — небольшая игра-викторина, которую вы напишете сами.',
      kk: 'Айнымалылар, шарттар, циклдер және функциялар, соңында өзіңіз жазатын шағын викторина ойыны.',
    },
    outcomes: [
      {
        ru: 'Писать программы с переменными, условиями и циклами',
        kk: 'Айнымалылар, шарттар және циклдер бар бағдарламалар жазу',
        en: 'Write programs with variables, conditions and loops',
      },
      { ru: 'Оформлять код в функции', kk: 'Кодты функцияларға бөлу', en: 'Organise code into functions' },
      { ru: 'Собрать свою игру-викторину', kk: 'Өз викторина ойыныңызды жасау', en: 'Build your own quiz game' },
    ],
    modules: [
      {
        title: { en: 'First programs', ru: 'Первые программы', kk: 'Алғашқы бағдарламалар' },
        lessons: [
          {
            title: { en: 'Variables and types', ru: 'Переменные и типы', kk: 'Айнымалылар мен типтер' },
            minutes: 20,
            preview: true,
            video: 'https://www.youtube.com/watch?v=kqtD5dpn9C8',
            body: {
              en: `A variable is a name for a value. Python works out the type from the value itself:

\`\`\`python
name = "Aigerim"     # str
age = 12             # int
height = 1.52        # float
likes_math = True    # bool
\`\`\`

## Why types matter
\`"2" + "3"\` is \`"23"\` (text is joined), while \`2 + 3\` is \`5\`. Use \`int("2")\` to turn text into a number, \`str(5)\` for the reverse.

## Try it
Ask for a name with \`input()\` and greet the person: \`print("Hello, " + name + "!")\`.`,
              ru: `Переменная — это имя для значения. Python сам понимает тип по значению:

\`\`\`python
name = "Aigerim"     # str — строка
age = 12             # int — целое
height = 1.52        # float — дробное
likes_math = True    # bool — логическое
\`\`\`

## Зачем знать типы
\`"2" + "3"\` даёт \`"23"\` (строки склеиваются), а \`2 + 3\` — \`5\`. \`int("2")\` превращает строку в число, \`str(5)\` — наоборот.

## Попробуйте
Спросите имя через \`input()\` и поздоровайтесь: \`print("Привет, " + name + "!")\`.`,
            },
          },
          {
            title: { en: 'Conditions and loops', ru: 'Условия и циклы', kk: 'Шарттар мен циклдер' },
            minutes: 25,
            body: {
              en: `## if / elif / else
\`\`\`python
score = 83
if score >= 90:
    print("Excellent")
elif score >= 70:
    print("Good")
else:
    print("Keep practising")
\`\`\`
Indentation is part of the syntax: the indented lines belong to the condition above.

## for and while
\`\`\`python
for n in range(1, 6):
    print(n * n)        # 1 4 9 16 25

total = 0
while total < 100:
    total += 17
\`\`\`
Use \`for\` when you know how many times, \`while\` when you repeat until something becomes true.`,
            },
          },
        ],
      },
      {
        title: { en: 'Functions and a project', ru: 'Функции и проект', kk: 'Функциялар және жоба' },
        lessons: [
          {
            title: { en: 'Writing functions', ru: 'Пишем функции', kk: 'Функция жазамыз' },
            minutes: 20,
            body: {
              en: `A function gives a piece of code a name, so you can reuse it and test it on its own.

\`\`\`python
def average(numbers):
    """The mean of a non-empty list."""
    return sum(numbers) / len(numbers)

print(average([4, 5, 3]))   # 4.0
\`\`\`

## Good habits
- One function, one job; a name that says what it returns.
- Return values instead of printing them: the caller decides what to show.
- A short docstring saying what the function expects.`,
            },
          },
          {
            title: { en: 'Project: a quiz game', ru: 'Проект: игра-викторина', kk: 'Жоба: викторина ойыны' },
            minutes: 30,
            body: {
              en: `Put it together: a list of questions, a loop, a score.

\`\`\`python
questions = [
    ("Capital of Kazakhstan?", "astana"),
    ("7 * 8 = ?", "56"),
]
score = 0
for text, answer in questions:
    if input(text + " ").strip().lower() == answer:
        score += 1
print(f"You scored {score} out of {len(questions)}")
\`\`\`

## Extend it
1. Shuffle the questions with \`random.shuffle\`.
2. Show the right answer after a mistake.
3. Keep the best score in a file.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'child-emotions',
    category: 'psychology',
    language: 'ru',
    level: 'beginner',
    price: 0,
    featured: true,
    tags: ['родителям', 'эмоции', 'тревожность'],
    title: {
      ru: 'Эмоции ребёнка: гид для родителей',
      kk: 'Баланың эмоциялары: ата-аналарға нұсқаулық',
      en: "A parent's guide to children's emotions",
    },
    description: {
      ru: 'Как распознать тревогу, говорить о чувствах и понять, когда пора к специалисту.',
      kk: 'Мазасыздықты қалай тануға, сезімдер туралы сөйлесуге және маманға қашан жүгіну керектігін түсінуге болады.',
      en: 'Recognising anxiety, talking about feelings and knowing when to see a specialist.',
    },
    outcomes: [
      {
        ru: 'Замечать признаки тревоги у ребёнка',
        kk: 'Баладағы мазасыздық белгілерін байқау',
        en: 'Notice the signs of anxiety in a child',
      },
      { ru: 'Говорить о чувствах без нравоучений', kk: 'Сезімдер туралы ақыл айтпай сөйлесу', en: 'Talk about feelings without lecturing' },
      { ru: 'Понимать, когда нужен специалист', kk: 'Маман қашан керек екенін түсіну', en: 'Know when to see a specialist' },
    ],
    modules: [
      {
        title: { ru: 'Понять ребёнка', kk: 'Баланы түсіну', en: 'Understanding your child' },
        lessons: [
          {
            title: {
              ru: 'Как выглядит тревога у детей',
              kk: 'Балалардағы мазасыздық қалай көрінеді',
              en: 'What anxiety looks like in children',
            },
            minutes: 12,
            preview: true,
            body: {
              ru: `Тревога — нормальная реакция на неизвестность: она помогает быть осторожным. Проблемой она становится, когда мешает ребёнку жить: спать, учиться, дружить.

## На что обратить внимание
- жалобы на живот или голову перед школой, которые проходят в выходные;
- частые вопросы «а что, если…», потребность в постоянных заверениях;
- избегание: не хочет идти к доске, в гости, на кружок;
- трудности с засыпанием, беспокойный сон.

## Чего не делать
Не говорите «не бойся, это ерунда» — ребёнок слышит, что его чувства неважны. Лучше: «Я вижу, что тебе страшно. Давай подумаем вместе».

В этом курсе есть короткий демонстрационный опросник — он помогает заметить, но **не ставит диагноз**.`,
              kk: `Мазасыздық — белгісіздікке қалыпты жауап: ол сақ болуға көмектеседі. Ол балаға өмір сүруге — ұйықтауға, оқуға, дос болуға кедергі келтірген кезде мәселеге айналады.

## Неге назар аудару керек
- мектеп алдында іш немесе бас ауыратыны туралы шағымдар, демалыста өтіп кетеді;
- «ал егер…» деген жиі сұрақтар, үнемі сендіруді қажет ету;
- қашқақтау: тақтаға шыққысы, қонаққа, үйірмеге барғысы келмейді;
- ұйықтай алмау, мазасыз ұйқы.

## Не істемеу керек
«Қорықпа, бұл түк емес» демеңіз — бала өз сезімдерін маңызсыз деп естиді. Жақсырақ: «Саған қорқынышты екенін көріп тұрмын. Бірге ойланайық».

Бұл курста қысқа демонстрациялық сауалнама бар — ол байқауға көмектеседі, бірақ **диагноз қоймайды**.`,
              en: `Anxiety is a normal response to the unknown: it keeps us careful. It becomes a problem when it gets in the way of a child's life: sleep, school, friendships.

## What to watch for
- tummy aches or headaches before school that vanish at the weekend;
- many "what if…" questions and a need for constant reassurance;
- avoidance: not wanting to answer in class, visit friends or go to a club;
- trouble falling asleep, restless sleep.

## What not to do
Don't say "don't be scared, it's nothing": the child hears that their feelings don't matter. Try "I can see you're scared. Let's think about it together."

This course comes with a short demo questionnaire: it helps you notice, it **does not diagnose**.`,
            },
          },
          {
            title: { ru: 'Как говорить о чувствах', kk: 'Сезімдер туралы қалай сөйлесу керек', en: 'How to talk about feelings' },
            minutes: 14,
            body: {
              ru: `Детям трудно назвать то, что они чувствуют. Взрослый помогает, давая слова.

## Три шага
1. **Назовите чувство:** «Похоже, ты расстроен, что игра закончилась».
2. **Признайте его:** «Это правда обидно, когда весело и надо остановиться».
3. **Предложите выбор:** «Хочешь, поставим таймер на пять минут, или сразу соберём?»

## Ежедневный ритуал
Вечером спросите: «Что сегодня было самым приятным? А самым трудным?» Пять минут без телефона дают ребёнку понять, что о трудном можно говорить.`,
              en: `Children find it hard to name what they feel. An adult helps by lending the words.

## Three steps
1. **Name it:** "It looks like you're upset the game is over."
2. **Accept it:** "It really is annoying to stop when it's fun."
3. **Offer a choice:** "Shall we set a five-minute timer, or tidy up now?"

## A daily habit
In the evening ask: "What was the best part of today? And the hardest?" Five minutes without a phone tell a child that hard things can be talked about.`,
            },
          },
          {
            title: { ru: 'Когда обратиться к специалисту', kk: 'Маманға қашан жүгіну керек', en: 'When to see a specialist' },
            minutes: 10,
            body: {
              ru: `Обратитесь к школьному психологу, педиатру или детскому психиатру, если:

- трудности длятся **дольше месяца** и не становятся меньше;
- ребёнок перестал ходить в школу или видеться с друзьями;
- нарушены сон или аппетит, заметно изменился вес;
- ребёнок говорит о том, что не хочет жить, или причиняет себе вред — **в этом случае обращайтесь сразу**, в Казахстане работает бесплатная линия доверия **150**.

Опросники на платформе — повод для разговора со специалистом, а не замена ему.`,
              kk: `Мектеп психологына, педиатрға немесе балалар психиатрына жүгініңіз, егер:

- қиындықтар **бір айдан ұзақ** созылып, азаймаса;
- бала мектепке баруды немесе достарымен кездесуді қойса;
- ұйқысы немесе тәбеті бұзылса, салмағы айтарлықтай өзгерсе;
- бала өмір сүргісі келмейтінін айтса немесе өзіне зиян келтірсе — **бұл жағдайда бірден жүгініңіз**, Қазақстанда **150** тегін сенім телефоны жұмыс істейді.

Платформадағы сауалнамалар — маманмен сөйлесуге себеп, оның орнын баспайды.`,
              en: `See the school psychologist, a paediatrician or a child psychiatrist if:

- the difficulties last **longer than a month** and don't ease;
- the child stops going to school or seeing friends;
- sleep or appetite change, or weight changes noticeably;
- the child talks about not wanting to live, or self-harms: **seek help at once**; in Kazakhstan the free helpline is **150**.

The questionnaires here are a reason to talk to a specialist, not a replacement for one.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'academic-english',
    category: 'languages',
    language: 'en',
    level: 'advanced',
    price: 0,
    featured: false,
    tags: ['english', 'writing', 'essay'],
    title: { en: 'Academic English writing', ru: 'Академическое письмо на английском', kk: 'Ағылшын тіліндегі академиялық жазылым' },
    description: {
      en: 'Thesis statements, paragraph structure and citing sources, for school essays and university applications.',
      ru: 'Тезис, структура абзаца и ссылки на источники — для школьных эссе и поступления в университет.',
    },
    modules: [
      {
        title: { en: 'The essay', ru: 'Эссе' },
        lessons: [
          {
            title: { en: 'A clear thesis', ru: 'Ясный тезис' },
            minutes: 15,
            preview: true,
            body: {
              en: `A thesis is one sentence that states your position and the reasons you will give. It is arguable: someone could reasonably disagree.

## Weak and strong
- Weak: *"Social media has good and bad sides."* (Nobody disagrees.)
- Strong: *"Schools should teach social media literacy, because it reduces cyberbullying and helps students judge sources."*

## Checklist
1. Can a reader disagree?
2. Does it name the reasons your paragraphs will develop?
3. Is it at the end of the introduction?`,
            },
          },
          {
            title: { en: 'Paragraphs that work', ru: 'Абзацы, которые работают' },
            minutes: 15,
            body: {
              en: `Each body paragraph supports one reason from the thesis. A reliable shape is **PEEL**:

- **P**oint: the topic sentence, one claim.
- **E**vidence: a fact, a quotation, a number, with its source.
- **E**xplanation: why the evidence supports the point.
- **L**ink: back to the thesis or on to the next paragraph.

Avoid paragraphs that only retell a source: the explanation is where your thinking shows.`,
            },
          },
          {
            title: { en: 'Citing sources', ru: 'Ссылки на источники' },
            minutes: 12,
            body: {
              en: `Cite whenever you use someone else's words, data or ideas. Two common styles:

- **APA:** (Oakley, 2014) in the text; *Oakley, B. (2014). A mind for numbers. TarcherPerigee.* in the list.
- **MLA:** (Oakley 45) in the text; *Oakley, Barbara. A Mind for Numbers. TarcherPerigee, 2014.*

Paraphrasing still needs a citation. Copying without one is plagiarism, even by accident.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'olympiad-geometry',
    category: 'math',
    language: 'ru',
    level: 'advanced',
    price: 990000,
    featured: false,
    tags: ['геометрия', 'олимпиада'],
    title: { ru: 'Олимпиадная геометрия', kk: 'Олимпиадалық геометрия', en: 'Olympiad geometry' },
    description: {
      ru: 'Вписанные углы, подобие и метод площадей на задачах региональных олимпиад.',
      kk: 'Өңірлік олимпиада есептеріндегі іштей сызылған бұрыштар, ұқсастық және аудандар әдісі.',
    },
    modules: [
      {
        title: { ru: 'Окружность', kk: 'Шеңбер' },
        lessons: [
          {
            title: { ru: 'Вписанные углы', kk: 'Іштей сызылған бұрыштар' },
            minutes: 25,
            preview: true,
            body: {
              ru: `**Теорема.** Вписанный угол равен половине центрального угла, опирающегося на ту же дугу.

## Следствия
- Вписанные углы, опирающиеся на одну дугу, равны.
- Угол, опирающийся на диаметр, прямой.
- Четырёхугольник вписан в окружность тогда и только тогда, когда сумма его противоположных углов равна 180°.

## Задача
В треугольнике ABC проведены высоты AA₁ и BB₁. Докажите, что точки A, B, A₁, B₁ лежат на одной окружности.

*Подсказка:* углы AA₁B и AB₁B прямые и опираются на отрезок AB.`,
            },
          },
          {
            title: { ru: 'Подобие', kk: 'Ұқсастық' },
            minutes: 25,
            body: {
              ru: `Треугольники подобны, если два угла одного равны двум углам другого. Отношение соответственных сторон тогда постоянно.

## Приём
Ищите пары равных углов — чаще всего их дают параллельные прямые или вписанные углы.

## Задача
Хорды AB и CD пересекаются в точке P. Докажите, что AP · PB = CP · PD.

*Решение:* треугольники APC и DPB подобны (вертикальные углы и вписанные углы, опирающиеся на дугу BC), откуда AP/DP = CP/BP.`,
            },
          },
          {
            title: { ru: 'Метод площадей', kk: 'Аудандар әдісі' },
            minutes: 20,
            body: {
              ru: `Идея: посчитать одну площадь двумя способами и приравнять.

## Пример
Сумма расстояний от точки внутри равностороннего треугольника до его сторон не зависит от точки и равна высоте.

*Доказательство:* соединим точку с вершинами; площадь треугольника равна сумме трёх площадей: a·h/2 = a·(d₁ + d₂ + d₃)/2, значит d₁ + d₂ + d₃ = h.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'physics-around-us',
    category: 'science',
    language: 'ru',
    level: 'beginner',
    price: 0,
    featured: false,
    tags: ['физика', 'опыты', 'школа'],
    title: { ru: 'Физика вокруг нас', kk: 'Айналамыздағы физика', en: 'Physics around us' },
    description: {
      ru: 'Сила, давление и свет — с опытами, которые можно сделать дома.',
      kk: 'Күш, қысым және жарық — үйде жасауға болатын тәжірибелермен.',
      en: 'Force, pressure and light, with experiments you can do at home.',
    },
    modules: [
      {
        title: { ru: 'Механика', kk: 'Механика', en: 'Mechanics' },
        lessons: [
          {
            title: { ru: 'Сила и движение', kk: 'Күш және қозғалыс', en: 'Force and motion' },
            minutes: 15,
            preview: true,
            body: {
              ru: `Тело меняет скорость, только если на него действует сила (первый закон Ньютона). Чем больше масса, тем труднее изменить скорость: F = m · a.

## Опыт
Положите монету на открытку на стакане и резко выдерните открытку щелчком. Монета упадёт в стакан: она «хочет» остаться на месте — это инерция.

## Вопрос
Почему в автобусе при резком торможении пассажиров бросает вперёд?`,
              kk: `Денеге күш әсер еткенде ғана оның жылдамдығы өзгереді (Ньютонның бірінші заңы). Масса неғұрлым көп болса, жылдамдықты өзгерту соғұрлым қиын: F = m · a.

## Тәжірибе
Стақан үстіндегі ашықхатқа тиын қойып, ашықхатты шертіп жылдам тартып алыңыз. Тиын стақанға түседі: ол орнында қалғысы «келеді» — бұл инерция.

## Сұрақ
Автобус кенет тежелгенде жолаушылар неге алға ығысады?`,
            },
          },
          {
            title: { ru: 'Давление', kk: 'Қысым', en: 'Pressure' },
            minutes: 15,
            body: {
              ru: `Давление — это сила, делённая на площадь: p = F / S. Одна и та же сила давит сильнее на маленькую площадь.

## Примеры
- Острый нож режет лучше: площадь лезвия мала.
- Лыжи не проваливаются в снег: вес распределён по большой площади.

## Опыт
Надуйте воздушный шарик и положите на одну кнопку — он лопнет. А на доску с сотней кнопок — выдержит: сила делится между многими остриями.`,
              kk: `Қысым — күшті ауданға бөлгенге тең: p = F / S. Бірдей күш кішкентай ауданға қаттырақ басады.

## Мысалдар
- Өткір пышақ жақсы кеседі: жүзінің ауданы кішкентай.
- Шаңғы қарға батпайды: салмақ үлкен ауданға таралады.`,
            },
          },
        ],
      },
      {
        title: { ru: 'Оптика', kk: 'Оптика', en: 'Optics' },
        lessons: [
          {
            title: { ru: 'Почему небо голубое', kk: 'Аспан неге көк', en: 'Why the sky is blue' },
            minutes: 12,
            body: {
              ru: `Белый солнечный свет состоит из всех цветов радуги. Проходя через воздух, свет рассеивается на молекулах, и короткие (синие) волны рассеиваются намного сильнее длинных (красных). Поэтому синий свет приходит к нам со всех сторон неба.

На закате свет идёт сквозь толстый слой воздуха: синее рассеялось по дороге, и до нас доходят оранжевые и красные лучи.`,
              en: `White sunlight holds every colour of the rainbow. Passing through air, light scatters off molecules, and short (blue) waves scatter far more than long (red) ones, so blue reaches us from all over the sky.

At sunset light crosses a thick layer of air: the blue is scattered away on the way, and the orange and red rays are what reach us.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'great-steppe',
    category: 'history',
    language: 'kk',
    level: 'beginner',
    price: 0,
    featured: false,
    tags: ['тарих', 'Қазақстан', 'Жібек жолы'],
    title: { kk: 'Қазақстан тарихы: Ұлы Дала', ru: 'История Казахстана: Великая степь', en: 'History of Kazakhstan: the Great Steppe' },
    description: {
      kk: 'Сақтардан Қазақ хандығына дейін: Ұлы Даланың негізгі оқиғалары мен тұлғалары.',
      ru: 'От саков до Казахского ханства: главные события и люди Великой степи.',
      en: 'From the Saka to the Kazakh Khanate: the main events and people of the Great Steppe.',
    },
    modules: [
      {
        title: { kk: 'Көне дәуір', ru: 'Древность', en: 'Antiquity' },
        lessons: [
          {
            title: { kk: 'Сақтар', ru: 'Саки', en: 'The Saka' },
            minutes: 14,
            preview: true,
            body: {
              kk: `Сақтар — б.з.д. VIII–III ғасырларда Қазақстан жерін мекендеген көшпелі тайпалар. Олар шебер салт аттылар мен металл өңдеушілер болған.

## Алтын адам
1969–1970 жылдары Есік қорғанынан алтын әшекейлермен көмілген жас жауынгердің сүйегі табылды. «Алтын адам» бүгін тәуелсіз Қазақстанның символдарының бірі.

## Аң стилі
Сақ өнерінде жануарлар бейнесі басым: барыс, бұғы, арқар. Бұл «аң стилі» деп аталады.`,
              ru: `Саки — кочевые племена, населявшие земли Казахстана в VIII–III веках до н. э. Они были искусными всадниками и мастерами по металлу.

## Золотой человек
В 1969–1970 годах в кургане Иссык нашли погребение молодого воина в одежде с золотыми украшениями. «Золотой человек» сегодня — один из символов независимого Казахстана.

## Звериный стиль
В искусстве саков преобладают образы животных: барс, олень, архар. Это называют «звериным стилем».`,
            },
          },
          {
            title: { kk: 'Ұлы Жібек жолы', ru: 'Великий шёлковый путь', en: 'The Silk Road' },
            minutes: 14,
            body: {
              kk: `Ұлы Жібек жолы Қытайды Жерорта теңізімен жалғаған. Оның бір тармағы Отырар, Тараз, Испиджаб (Сайрам) қалалары арқылы өтті.

Керуендер жібек, фарфор, дәмдеуіштер ғана емес, идеялар да тасыды: жазу, дін, ғылым. Отырар кітапханасы Шығыстың ең ірі кітапханаларының бірі болған, ал Әбу Насыр әл-Фараби осы өңірде туған.`,
              ru: `Великий шёлковый путь соединял Китай со Средиземноморьем. Одна из его ветвей проходила через Отрар, Тараз, Испиджаб (Сайрам).

Караваны везли не только шёлк, фарфор и пряности, но и идеи: письменность, религии, науку. Библиотека Отрара была одной из крупнейших на Востоке, а в этих краях родился аль-Фараби.`,
            },
          },
        ],
      },
      {
        title: { kk: 'Қазақ хандығы', ru: 'Казахское ханство', en: 'The Kazakh Khanate' },
        lessons: [
          {
            title: { kk: 'Хандықтың құрылуы', ru: 'Образование ханства', en: 'The founding of the Khanate' },
            minutes: 15,
            body: {
              kk: `1465 жылы Керей мен Жәнібек сұлтандар Әбілқайыр ханның билігінен бөлініп, Жетісудың батысындағы Шу мен Талас өзендерінің бойына қоныс аударды. Осылай Қазақ хандығы құрылды.

## Маңызды тұлғалар
- **Қасым хан** (XVI ғ.) — «Қасым ханның қасқа жолы» заңдар жинағы.
- **Тәуке хан** (XVII–XVIII ғғ.) — «Жеті жарғы».

## Сұрақ
Неліктен хандықтың құрылуы қазақ халқының қалыптасуында маңызды кезең болып саналады?`,
              ru: `В 1465 году султаны Керей и Жанибек отделились от власти хана Абулхаира и откочевали в долины рек Чу и Талас на западе Жетысу. Так было образовано Казахское ханство.

## Важные личности
- **Касым-хан** (XVI в.) — свод законов «Светлый путь Касым-хана».
- **Тауке-хан** (XVII–XVIII вв.) — «Жеті жарғы».`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'web-html-css',
    category: 'programming',
    language: 'en',
    level: 'beginner',
    price: 0,
    featured: false,
    tags: ['html', 'css', 'web'],
    title: { en: 'Your first web page: HTML and CSS', ru: 'Первая веб-страница: HTML и CSS', kk: 'Алғашқы веб-бет: HTML және CSS' },
    description: {
      en: 'Build and style a one-page site that works on a phone, from an empty file.',
      ru: 'Соберите и оформите одностраничный сайт, который работает на телефоне, — с пустого файла.',
      kk: 'Телефонда жұмыс істейтін бір беттік сайтты бос файлдан бастап жасап, безендіріңіз.',
    },
    modules: [
      {
        title: { en: 'HTML', ru: 'HTML', kk: 'HTML' },
        lessons: [
          {
            title: { en: 'The structure of a page', ru: 'Структура страницы', kk: 'Беттің құрылымы' },
            minutes: 15,
            preview: true,
            video: 'https://www.youtube.com/watch?v=pQN-pnXPaVg',
            body: {
              en: `HTML describes **what** each part of a page is. Start every page like this:

\`\`\`html
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>My first page</title>
  </head>
  <body>
    <h1>Hello!</h1>
    <p>This is my page.</p>
  </body>
</html>
\`\`\`

## Use the right element
One \`<h1>\` per page, \`<nav>\` for navigation, \`<main>\` for the content, \`<button>\` for actions. Screen readers and search engines rely on these.`,
              ru: `HTML описывает, **чем** является каждая часть страницы. Каждая страница начинается с каркаса: \`<!doctype html>\`, \`<html lang="ru">\`, \`<head>\` с кодировкой, \`viewport\` и \`<title>\`, затем \`<body>\` с содержимым.

## Правильные элементы
Один \`<h1>\` на страницу, \`<nav>\` для навигации, \`<main>\` для содержимого, \`<button>\` для действий. На них опираются экранные дикторы и поисковики.`,
            },
          },
          {
            title: { en: 'Links, images and lists', ru: 'Ссылки, изображения и списки', kk: 'Сілтемелер, суреттер және тізімдер' },
            minutes: 12,
            body: {
              en: `\`\`\`html
<a href="https://example.org">A link</a>
<img src="cat.jpg" alt="A grey cat asleep on a windowsill" width="640" height="480">
<ul>
  <li>Milk</li>
  <li>Bread</li>
</ul>
\`\`\`

The \`alt\` text describes the image for people who cannot see it: write what matters, not "image". Give width and height so the page doesn't jump while the image loads.`,
            },
          },
        ],
      },
      {
        title: { en: 'CSS', ru: 'CSS', kk: 'CSS' },
        lessons: [
          {
            title: { en: 'Styling and layout', ru: 'Оформление и раскладка', kk: 'Безендіру және орналастыру' },
            minutes: 20,
            body: {
              en: `CSS says **how** things look. A small, readable start:

\`\`\`css
body { font: 1.125rem/1.6 system-ui, sans-serif; max-width: 40rem; margin: 0 auto; padding: 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; }
\`\`\`

\`auto-fill\` with \`minmax\` gives one column on a phone and several on a laptop, with no media query. Check your page at 360 px wide: nothing should scroll sideways.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'teen-finance',
    category: 'finance',
    language: 'ru',
    level: 'beginner',
    price: 0,
    featured: false,
    tags: ['финансы', 'бюджет', 'подросткам'],
    title: {
      ru: 'Финансовая грамотность для подростков',
      kk: 'Жасөспірімдерге арналған қаржылық сауаттылық',
      en: 'Money skills for teenagers',
    },
    description: {
      ru: 'Карманные деньги, первый бюджет, накопления и как не попасться мошенникам.',
      kk: 'Қалта ақшасы, алғашқы бюджет, жинақ және алаяқтарға қалай алданбау керек.',
    },
    modules: [
      {
        title: { ru: 'Свои деньги', kk: 'Өз ақшаң' },
        lessons: [
          {
            title: { ru: 'Первый бюджет', kk: 'Алғашқы бюджет' },
            minutes: 12,
            preview: true,
            body: {
              ru: `Бюджет — это план: сколько денег придёт и куда они уйдут. Простое правило для начала — **50/30/20**:

- 50% — нужное (проезд, обеды);
- 30% — желаемое (кино, игры);
- 20% — накопления.

## Задание
Запишите все траты за неделю, даже мелкие. В конце недели разложите их по трём группам. Большинство людей удивляются, сколько уходит на «мелочи».`,
              kk: `Бюджет — жоспар: қанша ақша түседі және қайда жұмсалады. Бастау үшін қарапайым ереже — **50/30/20**:

- 50% — қажеттілер (жол ақысы, түскі ас);
- 30% — қалаулар (кино, ойындар);
- 20% — жинақ.

## Тапсырма
Бір аптадағы барлық шығындарыңызды, тіпті ұсақтарын да жазып отырыңыз. Апта соңында оларды үш топқа бөліңіз.`,
            },
          },
          {
            title: { ru: 'Как копить', kk: 'Қалай жинау керек' },
            minutes: 10,
            body: {
              ru: `Копить проще, если у накоплений есть цель и срок: «наушники за 30 000 тенге к сентябрю» — это 5 000 тенге в месяц.

## Приёмы
- Откладывайте **сразу**, как получили деньги, а не «что останется».
- Держите накопления отдельно от денег на каждый день.
- Депозит в банке защищён системой гарантирования депозитов и приносит проценты.`,
            },
          },
          {
            title: { ru: 'Мошенники: как распознать', kk: 'Алаяқтар: қалай тануға болады' },
            minutes: 12,
            body: {
              ru: `Мошенники давят на срочность и эмоции. Тревожные признаки:

- «Срочно назовите код из СМС» — **код не называют никому**, даже «сотруднику банка»;
- выигрыш в конкурсе, в котором вы не участвовали;
- просьба друга в мессенджере срочно перевести деньги — перезвоните ему по телефону;
- «вложите 10 000 — получите 100 000 через неделю».

Если сомневаетесь — остановитесь и посоветуйтесь со взрослым.`,
              kk: `Алаяқтар асықтырып, эмоцияға әсер етеді. Қауіпті белгілер:

- «СМС-тегі кодты тез айтыңыз» — **кодты ешкімге айтпайды**, тіпті «банк қызметкеріне» де;
- өзіңіз қатыспаған байқаудағы ұтыс;
- мессенджердегі досыңыздың ақша аударуды сұрауы — оған телефонмен қайта қоңырау шалыңыз.

Күмәндансаңыз — тоқтап, ересектермен ақылдасыңыз.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'drawing-basics',
    category: 'arts',
    language: 'en',
    level: 'beginner',
    price: 250000,
    featured: false,
    tags: ['drawing', 'art', 'sketching'],
    title: { en: 'Drawing for beginners', ru: 'Рисование для начинающих', kk: 'Бастаушыларға арналған сурет салу' },
    description: {
      en: 'Lines, shapes, light and perspective: the habits that make sketches look right.',
      ru: 'Линии, формы, свет и перспектива: привычки, благодаря которым наброски получаются.',
    },
    modules: [
      {
        title: { en: 'Seeing like an artist', ru: 'Видеть как художник' },
        lessons: [
          {
            title: { en: 'Lines and simple shapes', ru: 'Линии и простые формы' },
            minutes: 15,
            preview: true,
            body: {
              en: `Everything you see can be built from a few shapes: boxes, cylinders, spheres and cones. A mug is a cylinder with a bent cylinder for a handle; a head starts as a sphere.

## Warm-up (5 minutes a day)
1. Fill half a page with straight lines drawn from the shoulder, not the wrist.
2. Draw ten circles in one stroke each.
3. Sketch an object on your desk using only boxes and cylinders.

Draw lightly first; darken only the lines you keep.`,
              ru: `Всё, что вы видите, можно построить из нескольких форм: куб, цилиндр, шар и конус. Кружка — цилиндр с изогнутым цилиндром-ручкой; голова начинается с шара.

## Разминка (5 минут в день)
1. Заполните полстраницы прямыми линиями, рисуя от плеча, а не от запястья.
2. Нарисуйте десять кругов, каждый одним движением.
3. Набросайте предмет со стола только из кубов и цилиндров.`,
            },
          },
          {
            title: { en: 'Light and shadow', ru: 'Свет и тень' },
            minutes: 15,
            body: {
              en: `Light makes a flat drawing look solid. On a sphere lit from one side look for five zones: **highlight**, **light**, **core shadow**, **reflected light** and the **cast shadow** on the table.

Squint at your subject: the details disappear and the big light and dark shapes remain. Draw those first.`,
            },
          },
          {
            title: { en: 'One-point perspective', ru: 'Перспектива с одной точкой схода' },
            minutes: 20,
            body: {
              en: `Parallel lines running away from you meet at a **vanishing point** on the horizon, which sits at your eye level.

## Exercise: a street
1. Draw a horizon line and one point on it.
2. Draw the fronts of a few houses as rectangles.
3. Join their corners to the vanishing point and cut the sides off with vertical lines.

Rails, corridors and rows of desks all follow this rule.`,
            },
          },
        ],
      },
    ],
  },
  {
    key: 'learning-how-to-learn',
    category: 'psychology',
    language: 'ru',
    level: 'beginner',
    price: 0,
    featured: true,
    tags: ['учёба', 'память', 'внимание'],
    title: { ru: 'Как учиться эффективно', kk: 'Қалай тиімді оқуға болады', en: 'How to learn effectively' },
    description: {
      ru: 'Интервальные повторения, активное вспоминание, сон и внимание — что говорит наука об учёбе.',
      kk: 'Аралықты қайталау, белсенді еске түсіру, ұйқы және зейін — оқу туралы ғылым не дейді.',
      en: 'Spaced repetition, active recall, sleep and attention: what science says about studying.',
    },
    outcomes: [
      {
        ru: 'Запоминать надолго с помощью активного вспоминания',
        kk: 'Белсенді еске түсіру арқылы ұзақ есте сақтау',
        en: 'Remember for longer with active recall',
      },
      { ru: 'Планировать повторения', kk: 'Қайталауды жоспарлау', en: 'Plan your reviews' },
      { ru: 'Беречь внимание и сон', kk: 'Зейін мен ұйқыны сақтау', en: 'Protect your attention and sleep' },
    ],
    modules: [
      {
        title: { ru: 'Память', kk: 'Жады', en: 'Memory' },
        lessons: [
          {
            title: { ru: 'Активное вспоминание', kk: 'Белсенді еске түсіру', en: 'Active recall' },
            minutes: 12,
            preview: true,
            video: 'https://www.youtube.com/watch?v=O96fE1E-rf8',
            body: {
              ru: `Перечитывание конспекта создаёт ощущение, что вы всё знаете, — но это узнавание, а не знание. Гораздо лучше работает **вспоминание**: закройте учебник и попробуйте рассказать или записать главное.

## Как применять
- После каждого параграфа — три вопроса к себе, ответить без подсказки.
- Карточки: вопрос на одной стороне, ответ на другой.
- Объясните тему младшему брату или воображаемому ученику.

Трудно вспоминать — значит, память как раз укрепляется.`,
              kk: `Конспектіні қайта оқу бәрін білетіндей сезім береді — бірақ бұл тану, білу емес. **Еске түсіру** әлдеқайда жақсы жұмыс істейді: оқулықты жауып, негізгісін айтып немесе жазып көріңіз.

## Қалай қолдану керек
- Әр параграфтан кейін — өзіңізге үш сұрақ, көмексіз жауап беріңіз.
- Карточкалар: бір жағында сұрақ, екінші жағында жауап.
- Тақырыпты інісіңізге немесе ойдағы оқушыға түсіндіріңіз.`,
              en: `Rereading your notes feels like knowing, but it is recognising. **Recalling** works far better: close the book and try to say or write down the main points.

## How to use it
- After each section, three questions to yourself, answered without looking.
- Flashcards: a question on one side, the answer on the other.
- Explain the topic to a younger sibling or an imaginary student.

When recalling feels hard, your memory is getting stronger.`,
            },
          },
          {
            title: { ru: 'Интервальные повторения', kk: 'Аралықты қайталау', en: 'Spaced repetition' },
            minutes: 10,
            body: {
              ru: `Мы забываем быстро, но каждое повторение замедляет забывание. Поэтому лучше повторять **с растущими интервалами**: через день, через три дня, через неделю, через месяц.

Три занятия по 20 минут в разные дни дают больше, чем одно занятие на час накануне контрольной.`,
              en: `We forget quickly, but every review slows forgetting down. So review **at growing intervals**: after a day, three days, a week, a month.

Three 20-minute sessions on different days beat one hour the night before the test.`,
            },
          },
        ],
      },
      {
        title: { ru: 'Режим', kk: 'Күн тәртібі', en: 'Habits' },
        lessons: [
          {
            title: { ru: 'Сон и внимание', kk: 'Ұйқы және зейін', en: 'Sleep and attention' },
            minutes: 10,
            body: {
              ru: `Во сне мозг переносит выученное в долговременную память. Школьникам нужно 9–11 часов сна, подросткам — 8–10.

## Внимание
- Телефон в другой комнате, а не экраном вниз на столе.
- Работайте отрезками по 25 минут с 5-минутным перерывом.
- Одна задача за раз: переключение стоит времени и сил.`,
              en: `During sleep the brain moves what you learned into long-term memory. Schoolchildren need 9–11 hours, teenagers 8–10.

## Attention
- The phone in another room, not face down on the desk.
- Work in 25-minute blocks with 5-minute breaks.
- One task at a time: switching costs time and energy.`,
            },
          },
        ],
      },
    ],
  },
];
