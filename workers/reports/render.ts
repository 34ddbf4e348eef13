import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import type { Band, LocalizedText } from '../../db/schema/index.ts';
import { fonts } from './fonts.ts';

/**
 * PDF rendering: pure functions from plain data to bytes (no database, no storage), so the
 * queue consumer, tests and scripts call them alike. The output depends only on the input
 * (document dates come from the data, not the clock): rendering twice gives the same file.
 */

export type Lang = 'ru' | 'kk' | 'en';

export interface ReportScale {
  title: LocalizedText;
  score: number;
  min: number;
  max: number;
  bandIndex: number | null;
  bands: Band[];
}

export interface ResultReportData {
  language: Lang;
  /** The child's or the learner's name. */
  subjectName: string;
  testTitle: LocalizedText;
  kind: 'quiz' | 'assessment';
  version: number;
  /** When the attempt was submitted. */
  date: Date;
  scales: ReportScale[];
  score?: number;
  correct?: number;
  total?: number;
  passed?: boolean;
  reference: string;
}

export interface CertificateData {
  language: Lang;
  learnerName: string;
  courseTitle: LocalizedText;
  date: Date;
  reference: string;
}

const LABELS = {
  ru: {
    report: 'Отчёт о результатах',
    name: 'Имя',
    date: 'Дата',
    version: 'Версия теста',
    scores: 'Результаты по шкалам',
    score: 'Баллы',
    band: 'Уровень',
    noBand: 'вне диапазонов',
    quizScore: 'Результат',
    passed: 'тест пройден',
    failed: 'тест не пройден',
    certificate: 'Сертификат',
    certifies: 'Настоящим подтверждается, что',
    completed: 'успешно завершил(а) курс',
    reference: 'Номер',
  },
  kk: {
    report: 'Нәтижелер туралы есеп',
    name: 'Аты-жөні',
    date: 'Күні',
    version: 'Тест нұсқасы',
    scores: 'Шкалалар бойынша нәтижелер',
    score: 'Ұпай',
    band: 'Деңгей',
    noBand: 'ауқымнан тыс',
    quizScore: 'Нәтиже',
    passed: 'тест өтті',
    failed: 'тест өтпеді',
    certificate: 'Сертификат',
    certifies: 'Осы сертификат растайды:',
    completed: 'курсын сәтті аяқтады',
    reference: 'Нөмірі',
  },
  en: {
    report: 'Result report',
    name: 'Name',
    date: 'Date',
    version: 'Test version',
    scores: 'Scale scores',
    score: 'Score',
    band: 'Band',
    noBand: 'outside every band',
    quizScore: 'Result',
    passed: 'passed',
    failed: 'not passed',
    certificate: 'Certificate of completion',
    certifies: 'This certifies that',
    completed: 'has successfully completed the course',
    reference: 'Reference',
  },
} as const satisfies Record<Lang, Record<string, string>>;

/** The text in `lang`, else the first language the author wrote. */
export function pick(t: LocalizedText | undefined, lang: Lang): string {
  if (!t) return '';
  return t[lang] || t.ru || t.kk || t.en || '';
}

/** dd.mm.yyyy in UTC: the same on every machine. */
export const formatDate = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;

const INK = rgb(0.13, 0.15, 0.2);
const MUTED = rgb(0.42, 0.45, 0.5);
const TRACK = rgb(0.92, 0.93, 0.95);
const ACCENT = rgb(0.12, 0.45, 0.62);
/** Band colours by index: calm to alert. */
const BAND_COLOURS: RGB[] = [rgb(0.3, 0.62, 0.42), rgb(0.93, 0.66, 0.2), rgb(0.85, 0.35, 0.27), rgb(0.6, 0.25, 0.55)];

async function newDocument(title: string, date: Date) {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  // Subsetting keeps files small (a few KB instead of the 750 KB font).
  const regular = await doc.embedFont(fonts.regular, { subset: true });
  const bold = await doc.embedFont(fonts.bold, { subset: true });
  doc.setTitle(title);
  doc.setProducer('Sabaq');
  doc.setCreator('Sabaq');
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  return { doc, regular, bold };
}

/** Splits text into lines that fit `width`, breaking at spaces (and inside over-long words). */
export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width) {
        let cut = rest.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** A top-to-bottom writer that starts a new page when the current one is full. */
class Flow {
  page: PDFPage;
  y: number;
  readonly left = 56;
  readonly width: number;
  constructor(
    private readonly doc: PDFDocument,
    private readonly footer: string,
    private readonly font: PDFFont,
  ) {
    this.page = this.addPage();
    this.width = this.page.getWidth() - 2 * this.left;
    this.y = this.page.getHeight() - 64;
  }
  private addPage() {
    const page = this.doc.addPage([595.28, 841.89]);
    page.drawText(this.footer, { x: 56, y: 32, size: 8, font: this.font, color: MUTED });
    return page;
  }
  ensure(height: number) {
    if (this.y - height >= 56) return;
    this.page = this.addPage();
    this.y = this.page.getHeight() - 64;
  }
  text(text: string, opts: { font: PDFFont; size: number; color?: RGB; gap?: number; indent?: number }) {
    const lineHeight = opts.size * 1.35;
    for (const line of wrap(text, opts.font, opts.size, this.width - (opts.indent ?? 0))) {
      this.ensure(lineHeight);
      this.y -= lineHeight;
      this.page.drawText(line, {
        x: this.left + (opts.indent ?? 0),
        y: this.y,
        size: opts.size,
        font: opts.font,
        color: opts.color ?? INK,
      });
    }
    this.y -= opts.gap ?? 0;
  }
  space(h: number) {
    this.y -= h;
  }
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export async function renderResultReport(data: ResultReportData): Promise<Uint8Array> {
  const L = LABELS[data.language];
  const title = pick(data.testTitle, data.language);
  const { doc, regular, bold } = await newDocument(`${L.report}: ${title}`, data.date);
  const flow = new Flow(doc, `Sabaq · ${L.reference} ${data.reference}`, regular);

  flow.text(L.report, { font: regular, size: 11, color: MUTED, gap: 2 });
  flow.text(title, { font: bold, size: 20, gap: 10 });
  flow.text(`${L.name}: ${data.subjectName}`, { font: regular, size: 12 });
  flow.text(`${L.date}: ${formatDate(data.date)}`, { font: regular, size: 12 });
  flow.text(`${L.version}: ${data.version}`, { font: regular, size: 12, gap: 12 });

  if (data.kind === 'quiz' && data.score !== undefined) {
    const pct = Math.round(data.score * 100);
    const verdict = data.passed ? L.passed : L.failed;
    flow.text(`${L.quizScore}: ${pct}% (${data.correct ?? 0}/${data.total ?? 0}) — ${verdict}`, { font: bold, size: 14, gap: 12 });
  }

  if (data.scales.length) {
    flow.text(L.scores, { font: bold, size: 14, gap: 8 });
    // Bar chart: one horizontal bar per scale, filled to the score, coloured by band.
    const labelWidth = 150;
    const barWidth = flow.width - labelWidth - 60;
    for (const s of data.scales) {
      flow.ensure(26);
      const y = flow.y - 18;
      const label = wrap(pick(s.title, data.language), regular, 10, labelWidth - 8)[0] ?? '';
      flow.page.drawText(label, { x: flow.left, y: y + 3, size: 10, font: regular, color: INK });
      const x = flow.left + labelWidth;
      flow.page.drawRectangle({ x, y, width: barWidth, height: 14, color: TRACK });
      const range = s.max - s.min;
      const fraction = range > 0 ? Math.min(1, Math.max(0, (s.score - s.min) / range)) : 0;
      const colour = s.bandIndex === null ? MUTED : (BAND_COLOURS[s.bandIndex % BAND_COLOURS.length] ?? ACCENT);
      if (fraction > 0) flow.page.drawRectangle({ x, y, width: barWidth * fraction, height: 14, color: colour });
      // Band edges as ticks on the track.
      for (const b of s.bands.slice(1)) {
        if (range <= 0 || b.min <= s.min || b.min > s.max) continue;
        const tx = x + (barWidth * (b.min - s.min)) / range;
        flow.page.drawLine({ start: { x: tx, y: y - 2 }, end: { x: tx, y: y + 16 }, thickness: 0.8, color: MUTED });
      }
      flow.page.drawText(`${fmt(s.score)} / ${fmt(s.max)}`, { x: x + barWidth + 8, y: y + 3, size: 10, font: bold, color: INK });
      flow.y -= 26;
    }
    flow.space(10);

    for (const s of data.scales) {
      const band = s.bandIndex === null ? undefined : s.bands[s.bandIndex];
      flow.ensure(60);
      flow.text(pick(s.title, data.language), { font: bold, size: 13, gap: 2 });
      flow.text(`${L.score}: ${fmt(s.score)} (${fmt(s.min)}–${fmt(s.max)})`, { font: regular, size: 11 });
      flow.text(`${L.band}: ${band ? pick(band.label, data.language) : L.noBand}`, { font: regular, size: 11, gap: 2 });
      if (band) flow.text(pick(band.text, data.language), { font: regular, size: 10, color: MUTED });
      flow.space(12);
    }
  }
  return doc.save();
}

export async function renderCertificate(data: CertificateData): Promise<Uint8Array> {
  const L = LABELS[data.language];
  const course = pick(data.courseTitle, data.language);
  const { doc, regular, bold } = await newDocument(`${L.certificate}: ${course}`, data.date);
  const page = doc.addPage([841.89, 595.28]);
  const { width, height } = page.getSize();
  page.drawRectangle({ x: 24, y: 24, width: width - 48, height: height - 48, borderColor: ACCENT, borderWidth: 3 });
  page.drawRectangle({ x: 34, y: 34, width: width - 68, height: height - 68, borderColor: ACCENT, borderWidth: 0.8 });

  const centred = (text: string, y: number, font: PDFFont, size: number, color: RGB = INK) => {
    for (const [i, line] of wrap(text, font, size, width - 160).entries()) {
      const w = font.widthOfTextAtSize(line, size);
      page.drawText(line, { x: (width - w) / 2, y: y - i * size * 1.3, size, font, color });
    }
  };
  centred('Sabaq', height - 90, bold, 16, ACCENT);
  centred(L.certificate, height - 150, bold, 34);
  centred(L.certifies, height - 210, regular, 14, MUTED);
  centred(data.learnerName, height - 260, bold, 28);
  centred(L.completed, height - 305, regular, 14, MUTED);
  centred(`«${course}»`, height - 350, bold, 20);
  centred(`${L.date}: ${formatDate(data.date)}`, 110, regular, 12);
  centred(`${L.reference} ${data.reference}`, 88, regular, 9, MUTED);
  return doc.save();
}
