import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import qrcode from 'qrcode-generator';
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
  /** The child's birth year, when the result is a child's: the age at the test is derived from it. */
  birthYear?: number;
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
  teacherName?: string;
  date: Date;
  reference: string;
  /** The verification code and the public page its QR code leads to. */
  verifyCode?: string;
  verifyUrl?: string;
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
    teacher: 'Преподаватель',
    verify: 'Проверить подлинность',
    code: 'Код проверки',
    age: 'Возраст на момент теста',
    ageValue: '{a} лет (год рождения {y})',
    disclaimer:
      'Этот отчёт не является диагнозом. Он описывает ответы на опросник и помогает начать разговор со специалистом: психологом, педагогом или врачом.',
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
    teacher: 'Оқытушы',
    verify: 'Түпнұсқалығын тексеру',
    code: 'Тексеру коды',
    age: 'Тест кезіндегі жасы',
    ageValue: '{a} жас (туған жылы {y})',
    disclaimer:
      'Бұл есеп диагноз емес. Ол сауалнамаға берілген жауаптарды сипаттайды және маманмен — психологпен, педагогпен немесе дәрігермен сөйлесуді бастауға көмектеседі.',
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
    teacher: 'Teacher',
    verify: 'Verify this certificate',
    code: 'Verification code',
    age: 'Age at the time of the test',
    ageValue: '{a} (born {y})',
    disclaimer:
      'This report is not a diagnosis. It describes the answers to a questionnaire and helps start a conversation with a specialist: a psychologist, a teacher or a doctor.',
  },
} as const satisfies Record<Lang, Record<string, string>>;

/** The text in `lang`, else the first language the author wrote. */
export function pick(t: LocalizedText | undefined, lang: Lang): string {
  if (!t) return '';
  return t[lang] || t.ru || t.kk || t.en || '';
}

/**
 * The language a document is written in, for its labels: the preferred one when the author
 * wrote the text in it, else the first the author did (a Russian-only test gets Russian labels
 * in a Kazakh-speaking parent's report, not Kazakh labels around Russian text).
 */
export function contentLang(t: LocalizedText, preferred: Lang): Lang {
  if (t[preferred]) return preferred;
  return (['ru', 'kk', 'en'] as const).find((l) => t[l]) ?? preferred;
}

/**
 * Age in whole years at `date` from a birth year only: the younger of the two possible
 * ages (a birthday later in the year has not come yet), never below 0.
 */
export const ageAt = (birthYear: number, date: Date) => Math.max(0, date.getUTCFullYear() - birthYear - 1);

/** The platform's mark: a rounded square with an open book, then the name. */
function drawLogo(page: PDFPage, x: number, y: number, font: PDFFont, size = 16) {
  const s = size * 1.5;
  page.drawRectangle({ x, y: y - s * 0.25, width: s, height: s, color: ACCENT });
  // Two pages of a book: white strokes meeting at the spine.
  const w = rgb(1, 1, 1);
  const cx = x + s / 2;
  const by = y - s * 0.25 + s * 0.28;
  page.drawLine({ start: { x: x + s * 0.18, y: by + s * 0.38 }, end: { x: cx, y: by + s * 0.3 }, thickness: 1.6, color: w });
  page.drawLine({ start: { x: cx, y: by + s * 0.3 }, end: { x: x + s * 0.82, y: by + s * 0.38 }, thickness: 1.6, color: w });
  page.drawLine({ start: { x: x + s * 0.18, y: by }, end: { x: cx, y: by - s * 0.08 }, thickness: 1.6, color: w });
  page.drawLine({ start: { x: cx, y: by - s * 0.08 }, end: { x: x + s * 0.82, y: by }, thickness: 1.6, color: w });
  page.drawLine({ start: { x: cx, y: by - s * 0.08 }, end: { x: cx, y: by + s * 0.3 }, thickness: 1.6, color: w });
  page.drawText('Sabaq', { x: x + s + 6, y, size, font, color: ACCENT });
}

/** A QR code of `text` drawn as filled modules, `size` points wide, lower-left corner at (x, y). */
function drawQr(page: PDFPage, text: string, x: number, y: number, size: number) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const cell = size / (n + 8);
  page.drawRectangle({ x, y, width: size, height: size, color: rgb(1, 1, 1) });
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.isDark(r, c))
        page.drawRectangle({ x: x + (c + 4) * cell, y: y + size - (r + 5) * cell, width: cell, height: cell, color: INK });
    }
  }
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

  drawLogo(flow.page, flow.left, flow.y - 14, regular, 14);
  flow.space(34);
  flow.text(L.report, { font: regular, size: 11, color: MUTED, gap: 2 });
  flow.text(title, { font: bold, size: 20, gap: 10 });
  flow.text(`${L.name}: ${data.subjectName}`, { font: regular, size: 12 });
  if (data.birthYear !== undefined) {
    const age = L.ageValue.replace('{a}', String(ageAt(data.birthYear, data.date))).replace('{y}', String(data.birthYear));
    flow.text(`${L.age}: ${age}`, { font: regular, size: 12 });
  }
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
  if (data.kind === 'assessment') {
    flow.space(6);
    flow.ensure(50);
    flow.page.drawLine({ start: { x: flow.left, y: flow.y }, end: { x: flow.left + flow.width, y: flow.y }, thickness: 0.6, color: MUTED });
    flow.space(4);
    flow.text(L.disclaimer, { font: bold, size: 10, color: INK });
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
  drawLogo(page, width / 2 - 40, height - 92, bold, 16);
  centred(L.certificate, height - 150, bold, 34);
  centred(L.certifies, height - 205, regular, 14, MUTED);
  centred(data.learnerName, height - 250, bold, 28);
  centred(L.completed, height - 292, regular, 14, MUTED);
  centred(`«${course}»`, height - 332, bold, 20);
  if (data.teacherName) centred(`${L.teacher}: ${data.teacherName}`, 150, regular, 12);
  centred(`${L.date}: ${formatDate(data.date)}`, 128, regular, 12);
  if (data.verifyCode && data.verifyUrl) {
    // Bottom right: the QR code of the public verification page, the code and the address under it.
    const size = 92;
    const x = width - 60 - size;
    drawQr(page, data.verifyUrl, x, 70, size);
    page.drawText(`${L.code}: ${data.verifyCode}`, { x: 60, y: 88, size: 10, font: bold, color: INK });
    page.drawText(`${L.verify}: ${data.verifyUrl}`, { x: 60, y: 72, size: 8, font: regular, color: MUTED });
    page.drawText(`${L.reference} ${data.reference}`, { x: 60, y: 58, size: 7, font: regular, color: MUTED });
  } else {
    centred(`${L.reference} ${data.reference}`, 88, regular, 9, MUTED);
  }
  return doc.save();
}
