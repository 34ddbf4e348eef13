/**
 * The demo specialist of a fresh `npm start`: the demo teacher «Нурлан Сейткали» also takes
 * consultations (verified, listed), so the consultation journey works in the first minute —
 * a free 30-minute introduction and a paid hour, weekly hours in Asia/Almaty.
 */
export interface DemoSpecialist {
  bio: { ru: string; kk: string; en: string };
  languages: ('ru' | 'kk' | 'en')[];
  specialties: string[];
  timeZone: string;
  bufferMinutes: number;
  /** Price in minor units (tiyn); 0 is free. */
  sessionTypes: { durationMinutes: number; price: number }[];
  /** ISO weekday (1 = Monday), minutes from local midnight. */
  rules: { weekday: number; startMinute: number; endMinute: number }[];
}

const weekdays = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 9 * 60, endMinute: 18 * 60 }));

export const DEMO_SPECIALIST: DemoSpecialist = {
  bio: {
    ru: 'Детский психолог и преподаватель математики, 12 лет работы со школьниками. Помогаю при тревоге перед контрольными, с режимом и мотивацией, с переходом в новую школу. Первая встреча — бесплатное 30-минутное знакомство.',
    kk: 'Балалар психологы және математика мұғалімі, оқушылармен 12 жыл жұмыс тәжірибесі бар. Бақылау жұмысы алдындағы мазасыздық, күн тәртібі мен ынта, жаңа мектепке көшу мәселелерінде көмектесемін. Алғашқы кездесу — тегін 30 минуттық танысу.',
    en: 'Child psychologist and maths teacher with 12 years of work with school children. I help with test anxiety, routines and motivation, and moving to a new school. The first meeting is a free 30-minute introduction.',
  },
  languages: ['ru', 'kk', 'en'],
  specialties: ['psychologist', 'tutor'],
  timeZone: 'Asia/Almaty',
  bufferMinutes: 10,
  sessionTypes: [
    { durationMinutes: 30, price: 0 },
    { durationMinutes: 60, price: 800_000 },
  ],
  // Weekdays 09:00–18:00 and Saturday mornings.
  rules: [...weekdays, { weekday: 6, startMinute: 10 * 60, endMinute: 14 * 60 }],
};
