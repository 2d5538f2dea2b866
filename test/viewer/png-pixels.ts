// Reads the pixels of a PNG screenshot (8-bit RGB or RGBA, not interlaced: what Chromium writes)
// and counts pixels of a colour inside a rectangle, to check that something was really drawn.
import { inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, row by row. */
  pixels: Uint8Array;
}

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function decodePng(png: Buffer): DecodedPng {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [bitDepth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (bitDepth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`);
      }
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(body);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const rows = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    unfilterRow(raw, y * (stride + 1), rows, y * stride, stride, channels, y > 0);
  }
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < rows.length; i += channels, j += 4) {
    pixels[j] = rows[i]!;
    pixels[j + 1] = rows[i + 1]!;
    pixels[j + 2] = rows[i + 2]!;
    pixels[j + 3] = channels === 4 ? rows[i + 3]! : 255;
  }
  return { width, height, pixels };
}

// PNG's per-row filters (none, sub, up, average, Paeth), undone in place into `out`.
function unfilterRow(raw: Buffer, at: number, out: Buffer, rowStart: number, stride: number, bpp: number, hasPrevious: boolean): void {
  const filter = raw[at]!;
  for (let i = 0; i < stride; i++) {
    const value = raw[at + 1 + i]!;
    const left = i >= bpp ? out[rowStart + i - bpp]! : 0;
    const up = hasPrevious ? out[rowStart - stride + i]! : 0;
    const upLeft = hasPrevious && i >= bpp ? out[rowStart - stride + i - bpp]! : 0;
    let predicted: number;
    switch (filter) {
      case 0: predicted = 0; break;
      case 1: predicted = left; break;
      case 2: predicted = up; break;
      case 3: predicted = (left + up) >> 1; break;
      case 4: predicted = paeth(left, up, upLeft); break;
      default: throw new Error(`bad PNG filter ${filter}`);
    }
    out[rowStart + i] = (value + predicted) & 0xff;
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** `#d97706` → [217, 119, 6]. */
export function rgbOf(hex: string): [number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)];
}

/** Pixels within `tolerance` (per channel) of `colour` inside `region` (CSS pixels × `scale`). */
export function countColour(image: DecodedPng, colour: [number, number, number], region: Rectangle, scale = 1, tolerance = 6): number {
  const x0 = Math.max(0, Math.floor(region.x * scale));
  const y0 = Math.max(0, Math.floor(region.y * scale));
  const x1 = Math.min(image.width, Math.ceil((region.x + region.width) * scale));
  const y1 = Math.min(image.height, Math.ceil((region.y + region.height) * scale));
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * image.width + x) * 4;
      if (
        Math.abs(image.pixels[i]! - colour[0]) <= tolerance &&
        Math.abs(image.pixels[i + 1]! - colour[1]) <= tolerance &&
        Math.abs(image.pixels[i + 2]! - colour[2]) <= tolerance
      ) {
        count++;
      }
    }
  }
  return count;
}
