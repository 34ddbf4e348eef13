import type { LocalizedText } from '../../db/schema/index.ts';

export type Lang = 'ru' | 'kk' | 'en';
export const LANGS: readonly Lang[] = ['ru', 'kk', 'en'];

export interface Picked {
  value: string;
  /** The language actually used: differs from the asked one when it fell back. */
  lang: Lang;
}

/** The asked language first, then the content's own language, then ru → kk → en. */
export function pick(text: LocalizedText | null | undefined, lang: Lang, primary?: Lang): Picked {
  const order = [lang, ...(primary ? [primary] : []), ...LANGS];
  for (const l of order) {
    const v = text?.[l];
    if (v?.trim()) return { value: v, lang: l };
  }
  return { value: '', lang };
}
