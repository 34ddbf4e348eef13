// Small helpers for the HTML the Worker writes into pages (site/README.md: "Pages rendered
// at the edge"). Every API value enters a page through esc() or as a JSON-LD string.
import { LANGS, LOCALES, type Lang } from '../../site/src/i18n/langs.ts';

export { LANGS, LOCALES, type Lang };

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element's content or a quoted attribute value. */
export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);

/** JSON inside <script type="application/ld+json">: `<` escaped so no value can close the element. */
export const jsonLd = (data: unknown) => `<script type="application/ld+json">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`;

/** A description for <meta>: one line, at most ~160 characters, cut at a word. */
export function metaDescription(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}…`;
}

export interface HeadTags {
  origin: string;
  lang: Lang;
  /** The page's path without the language (`/courses/<id>`, `/`). */
  rest: string;
  title: string;
  description: string;
  image?: string;
  imageAlt?: string;
}

const ogLocale = (l: Lang) => LOCALES[l].replace('-', '_');

/** Canonical, hreflang alternates (ru/kk/en + x-default), Open Graph and Twitter card tags. */
export function headTags(p: HeadTags): string {
  const url = (l: Lang) => new URL(`/${l}${p.rest}`, p.origin).href;
  const tags = [
    `<link rel="canonical" href="${esc(url(p.lang))}">`,
    ...LANGS.map((l) => `<link rel="alternate" hreflang="${l}" href="${esc(url(l))}">`),
    `<link rel="alternate" hreflang="x-default" href="${esc(url(LANGS[0]))}">`,
    `<meta property="og:type" content="website">`,
    `<meta property="og:site_name" content="Sabaq">`,
    `<meta property="og:title" content="${esc(p.title)}">`,
    `<meta property="og:description" content="${esc(p.description)}">`,
    `<meta property="og:url" content="${esc(url(p.lang))}">`,
    `<meta property="og:locale" content="${ogLocale(p.lang)}">`,
    ...LANGS.filter((l) => l !== p.lang).map((l) => `<meta property="og:locale:alternate" content="${ogLocale(l)}">`),
    `<meta name="twitter:card" content="${p.image ? 'summary_large_image' : 'summary'}">`,
    `<meta name="twitter:title" content="${esc(p.title)}">`,
    `<meta name="twitter:description" content="${esc(p.description)}">`,
  ];
  if (p.image) {
    const image = new URL(p.image, p.origin).href;
    tags.push(`<meta property="og:image" content="${esc(image)}">`, `<meta name="twitter:image" content="${esc(image)}">`);
    if (p.imageAlt)
      tags.push(
        `<meta property="og:image:alt" content="${esc(p.imageAlt)}">`,
        `<meta name="twitter:image:alt" content="${esc(p.imageAlt)}">`,
      );
  }
  return tags.join('');
}
