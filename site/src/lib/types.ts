// Shapes of the API responses the site relies on (SPEC.md "API surface").
import type { Lang } from '../i18n/langs';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    requestId?: string;
    details?: unknown;
  };
}

export type Role = 'learner' | 'parent' | 'teacher' | 'admin';
export type TeacherStatus = 'pending' | 'verified' | 'rejected' | null;

export interface User {
  id: string;
  email: string;
  name: string;
  language: Lang;
  role: Role;
  teacherStatus?: TeacherStatus;
}

export interface Child {
  id: string;
  name: string;
  birthYear: number;
  language: Lang;
}

export interface Category {
  id: string;
  slug: string;
  title: string;
}

export interface Price {
  /** Major currency units (e.g. 4990 KZT). */
  amount: number;
  currency: string;
}

export interface CourseCard {
  id: string;
  title: string;
  /** Language the localized texts were resolved to (differs from `?lang=` on fallback). */
  titleLang?: Lang;
  description: string;
  /** Language the course is taught in. */
  language: Lang;
  level: string;
  price: Price | null;
  rating: { average: number; count: number };
  enrollmentCount: number;
  teacher: { id: string; name: string };
  featured: boolean;
  coverUrl?: string;
  /** Search results only: a text snippet, matches wrapped in `<mark>…</mark>`. */
  highlight?: string;
}

export interface CourseDetail extends CourseCard {
  /** "What you will learn", in the page language (empty when the author gave none). */
  outcomes?: string[];
  modules: Array<{
    id: string;
    title: string;
    lessons: Array<{ id: string; title: string; preview: boolean; durationMin?: number }>;
  }>;
}
