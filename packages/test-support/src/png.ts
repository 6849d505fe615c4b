import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

/**
 * What a screenshot shows, read from the PNG itself: its size in pixels and how many colours it
 * has. A test asserts on these rather than on the file's byte size, which changes with fonts,
 * compression and the machine, not with the product.
 */
export interface Picture {
  width: number;
  height: number;
  /** Distinct colours (RGB), counted up to 256. */
  colours: number;
}

const SIGNATURE = '89504e470d0a1a0a';

/** Reads an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes). */
export function readPicture(file: string): Picture {
  const png = readFileSync(file);
  if (png.subarray(0, 8).toString('hex') !== SIGNATURE) throw new Error(`${file} is not a PNG`);
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      channels = colourType === 2 ? 3 : colourType === 6 ? 4 : 0;
      if (depth !== 8 || channels === 0 || interlace !== 0)
        throw new Error(`${file}: only 8-bit RGB/RGBA, non-interlaced PNGs are read`);
    } else if (type === 'IDAT') {
      data.push(body);
    }
    at += 12 + length;
  }
  return {
    width,
    height,
    colours: countColours(unfilter(inflateSync(Buffer.concat(data)), width, height, channels), channels),
  };
}

/** PNG's per-row filters undone (RFC 2083 §6): raw pixel bytes, row after row. */
function unfilter(raw: Buffer, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[row - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[row - stride + x - bpp]! : 0;
      const predictor =
        filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
      out[row + x] = (raw[src + x]! + predictor) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function countColours(pixels: Buffer, bpp: number): number {
  const seen = new Set<number>();
  for (let i = 0; i + 2 < pixels.length && seen.size < 256; i += bpp)
    seen.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
  return seen.size;
}
