import { Marked } from 'marked';
import xss from 'xss';

// xss is CommonJS: its classes hang off the default export at run time.
const { FilterXSS } = xss as unknown as typeof import('xss');

/**
 * Lesson Markdown → safe HTML, rendered once on write. Authors are teachers, not trusted
 * with scripts: tags and attributes come from an allow-list, links only http(s)/mailto,
 * and video only from YouTube or Vimeo, turned into privacy-friendly embeds.
 */
const marked = new Marked({ gfm: true, breaks: false, async: false });

const YOUTUBE =
  /^(?:https?:\/\/)?(?:www\.|m\.)?(?:youtube\.com\/(?:watch\?v=|embed\/|shorts\/)|youtu\.be\/)([A-Za-z0-9_-]{11})(?:[?&#].*)?$/;
const VIMEO = /^(?:https?:\/\/)?(?:www\.|player\.)?vimeo\.com\/(?:video\/)?(\d{5,12})(?:[?#].*)?$/;

/** The embed URL for an allowed video link, or undefined. */
export function videoEmbedUrl(url: string): string | undefined {
  const u = url.trim();
  const yt = YOUTUBE.exec(u);
  if (yt) return `https://www.youtube-nocookie.com/embed/${yt[1]}`;
  const vm = VIMEO.exec(u);
  if (vm) return `https://player.vimeo.com/video/${vm[1]}?dnt=1`;
  return undefined;
}

const EMBED_SRC = /^https:\/\/(www\.youtube-nocookie\.com\/embed\/[A-Za-z0-9_-]{11}|player\.vimeo\.com\/video\/\d{5,12}\?dnt=1)$/;

const iframe = (src: string) =>
  `<iframe src="${src}" title="Video" loading="lazy" allow="encrypted-media; picture-in-picture; fullscreen" allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe>`;

const filter = new FilterXSS({
  whiteList: {
    a: ['href', 'title'],
    p: [],
    br: [],
    hr: [],
    strong: [],
    em: [],
    b: [],
    i: [],
    del: [],
    s: [],
    code: [],
    pre: [],
    blockquote: [],
    h1: [],
    h2: [],
    h3: [],
    h4: [],
    h5: [],
    h6: [],
    ul: [],
    ol: ['start'],
    li: [],
    table: [],
    thead: [],
    tbody: [],
    tr: [],
    th: ['align'],
    td: ['align'],
    img: ['src', 'alt', 'title'],
    iframe: ['src', 'title', 'loading', 'allow', 'allowfullscreen', 'referrerpolicy'],
    figure: [],
    figcaption: [],
  },
  stripIgnoreTag: true,
  stripIgnoreTagBody: ['script', 'style', 'noscript', 'template', 'object', 'embed', 'svg', 'math'],
  onTagAttr(tag, name, value) {
    if (tag === 'iframe' && name === 'src') return EMBED_SRC.test(value) ? `src="${value}"` : '';
    if ((tag === 'a' && name === 'href') || (tag === 'img' && name === 'src')) {
      const v = value.trim();
      const ok = tag === 'a' ? /^(https?:\/\/|mailto:|#|\/(?!\/))/i.test(v) : /^https:\/\//i.test(v);
      // Allowed schemes go through the library's own attribute escaping; others are dropped.
      return ok ? undefined : '';
    }
    return undefined;
  },
  onIgnoreTagAttr: () => '',
});

/** Renders lesson Markdown to sanitized HTML; a line holding only a video link becomes an embed. */
export function renderLesson(markdown: string): string {
  const lines = markdown.split(/\r?\n/).map((line) => {
    const embed = videoEmbedUrl(line);
    return embed ? `\n${iframe(embed)}\n` : line;
  });
  const html = marked.parse(lines.join('\n')) as string;
  let safe = filter.process(html);
  // Safety net: an iframe whose src was refused is dropped entirely.
  safe = safe.replace(/<iframe(?![^>]*\ssrc=")[^>]*>\s*<\/iframe>/g, '');
  return safe;
}
