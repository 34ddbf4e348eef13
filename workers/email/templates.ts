import type { Language } from '../../db/schema/index.ts';

/** One template per kind, in each interface language; links are absolute (built by the caller). */
export type EmailKind = 'password_reset' | 'email_verify';

interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

interface Copy {
  subject: string;
  greeting: (name: string) => string;
  body: string;
  action: string;
  ignore: string;
}

const copy: Record<EmailKind, Record<Language, Copy>> = {
  password_reset: {
    ru: {
      subject: 'Восстановление пароля Sabaq',
      greeting: (n) => `Здравствуйте, ${n}!`,
      body: 'Мы получили запрос на смену пароля. Ссылка действует 30 минут и срабатывает один раз.',
      action: 'Задать новый пароль',
      ignore: 'Если вы не запрашивали смену пароля, просто проигнорируйте это письмо: пароль останется прежним.',
    },
    kk: {
      subject: 'Sabaq құпиясөзін қалпына келтіру',
      greeting: (n) => `Сәлеметсіз бе, ${n}!`,
      body: 'Құпиясөзді өзгерту сұрауын алдық. Сілтеме 30 минут жарамды және бір рет қана жұмыс істейді.',
      action: 'Жаңа құпиясөз орнату',
      ignore: 'Егер сіз құпиясөзді өзгертуді сұрамасаңыз, бұл хатты елемеңіз: құпиясөз өзгермейді.',
    },
    en: {
      subject: 'Reset your Sabaq password',
      greeting: (n) => `Hello, ${n}!`,
      body: 'We received a request to reset your password. The link works once and expires in 30 minutes.',
      action: 'Set a new password',
      ignore: 'If you did not ask for this, ignore this email: your password stays as it is.',
    },
  },
  email_verify: {
    ru: {
      subject: 'Подтвердите адрес почты в Sabaq',
      greeting: (n) => `Здравствуйте, ${n}!`,
      body: 'Подтвердите, что это ваш адрес: без этого нельзя публиковать курсы и тесты и оплачивать покупки. Ссылка действует 7 дней.',
      action: 'Подтвердить адрес',
      ignore: 'Если вы не регистрировались в Sabaq, просто проигнорируйте это письмо.',
    },
    kk: {
      subject: 'Sabaq-тағы пошта мекенжайын растаңыз',
      greeting: (n) => `Сәлеметсіз бе, ${n}!`,
      body: 'Бұл сіздің мекенжайыңыз екенін растаңыз: онсыз курстар мен тесттерді жариялауға және төлем жасауға болмайды. Сілтеме 7 күн жарамды.',
      action: 'Мекенжайды растау',
      ignore: 'Егер сіз Sabaq-та тіркелмесеңіз, бұл хатты елемеңіз.',
    },
    en: {
      subject: 'Confirm your email address for Sabaq',
      greeting: (n) => `Hello, ${n}!`,
      body: 'Confirm that this address is yours: until then you cannot publish courses or tests or pay. The link is valid for 7 days.',
      action: 'Confirm my address',
      ignore: 'If you did not sign up for Sabaq, ignore this email.',
    },
  },
};

export function renderEmail(kind: EmailKind, lang: Language, data: { name: string; link: string }): Rendered {
  const c = copy[kind][lang];
  const text = [c.greeting(data.name), '', c.body, '', `${c.action}: ${data.link}`, '', c.ignore, '', '— Sabaq'].join('\n');
  const html = `<!doctype html><html lang="${lang}"><body>
<p>${escapeHtml(c.greeting(data.name))}</p>
<p>${escapeHtml(c.body)}</p>
<p><a href="${escapeHtml(data.link)}">${escapeHtml(c.action)}</a></p>
<p>${escapeHtml(c.ignore)}</p>
<p>— Sabaq</p>
</body></html>`;
  return { subject: c.subject, text, html };
}
