/**
 * Image bytes, checked by what they are rather than what the client says: the format from the
 * magic number, the dimensions from the header, and metadata (EXIF: camera, GPS position)
 * stripped from JPEG and PNG. WebP with EXIF/XMP is refused instead (dropping a RIFF chunk
 * would also mean rewriting the VP8X flags; re-exporting the file is the user's easy fix).
 */
export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp';
export const IMAGE_TYPES: readonly ImageType[] = ['image/png', 'image/jpeg', 'image/webp'];
export const EXTENSION: Record<ImageType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export interface ImageInfo {
  type: ImageType;
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32le = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format and size from the header bytes, or null when the bytes are no PNG, JPEG or WebP we can read. */
export function sniffImage(b: Uint8Array): ImageInfo | null {
  if (b.length >= 24 && PNG_SIGNATURE.every((v, i) => b[i] === v) && ascii(b, 12, 4) === 'IHDR') {
    return { type: 'image/png', width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    // Walk the segments to the first start-of-frame marker (SOF0..SOF15 except DHT/JPG/DAC).
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1]!;
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      const len = u16be(b, i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { type: 'image/jpeg', height: u16be(b, i + 5), width: u16be(b, i + 7) };
      }
      if (marker === 0xda || len < 2) return null;
      i += 2 + len;
    }
    return null;
  }
  if (b.length >= 30 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') {
    const chunk = ascii(b, 12, 4);
    if (chunk === 'VP8X') return { type: 'image/webp', width: 1 + u24le(b, 24), height: 1 + u24le(b, 27) };
    if (chunk === 'VP8 ' && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
      return { type: 'image/webp', width: ((b[27]! << 8) | b[26]!) & 0x3fff, height: ((b[29]! << 8) | b[28]!) & 0x3fff };
    }
    if (chunk === 'VP8L' && b[20] === 0x2f) {
      const bits = u32le(b, 21);
      return { type: 'image/webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
  }
  return null;
}

export class MetadataRefused extends Error {}

/** JPEG APP1 (EXIF, XMP) and APP13 (IPTC) segments go; JFIF, ICC colour profiles and the image stay. */
function stripJpeg(b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [b.subarray(0, 2)];
  let i = 2;
  while (i + 4 <= b.length) {
    const marker = b[i + 1]!;
    if (b[i] !== 0xff) break;
    if (marker === 0xda) break; // start of scan: the rest is image data
    const len = u16be(b, i + 2);
    const end = i + 2 + len;
    if (marker !== 0xe1 && marker !== 0xed) parts.push(b.subarray(i, end));
    i = end;
  }
  parts.push(b.subarray(i));
  return concat(parts);
}

/** PNG eXIf and the text chunks (tEXt, zTXt, iTXt: XMP lives there) go; everything else stays. */
function stripPng(b: Uint8Array): Uint8Array {
  const drop = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt']);
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  let i = 8;
  while (i + 12 <= b.length) {
    const len = u32be(b, i);
    const type = ascii(b, i + 4, 4);
    const end = i + 12 + len;
    if (end > b.length) break;
    if (!drop.has(type)) parts.push(b.subarray(i, end));
    i = end;
    if (type === 'IEND') break;
  }
  return concat(parts);
}

function webpHasMetadata(b: Uint8Array): boolean {
  let i = 12;
  while (i + 8 <= b.length) {
    const type = ascii(b, i, 4);
    if (type === 'EXIF' || type === 'XMP ') return true;
    i += 8 + u32le(b, i + 4) + (u32le(b, i + 4) % 2);
  }
  return false;
}

export function stripMetadata(b: Uint8Array, type: ImageType): Uint8Array {
  if (type === 'image/jpeg') return stripJpeg(b);
  if (type === 'image/png') return stripPng(b);
  if (webpHasMetadata(b)) throw new MetadataRefused('WebP images with EXIF or XMP metadata are refused');
  return b;
}

/** True when EXIF/XMP/IPTC is still in the bytes (tests and the final check use it). */
export function hasMetadata(b: Uint8Array, type: ImageType): boolean {
  if (type === 'image/webp') return webpHasMetadata(b);
  return stripMetadata(b, type).length !== b.length;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
