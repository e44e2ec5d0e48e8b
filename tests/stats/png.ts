import { Resvg } from '@resvg/resvg-js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Reads a PNG the way a viewer would: checks the signature and IHDR, then decodes the pixels
 * (resvg decodes an embedded PNG) and measures how much the picture varies — a blank or one-colour
 * image has (almost) none.
 */
export function inspectPng(png: Uint8Array) {
  const { width, height, pixels } = decodePng(png);
  let sum = 0;
  let sumSq = 0;
  let nonWhite = 0;
  const n = pixels.length / 4;
  for (let i = 0; i < pixels.length; i += 4) {
    const lum = 0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]!;
    sum += lum;
    sumSq += lum * lum;
    if (lum < 240) nonWhite++;
  }
  const mean = sum / n;
  return { width, height, variance: sumSq / n - mean * mean, inkRatio: nonWhite / n };
}

/** The PNG's RGBA pixels, decoded the way a viewer would (resvg draws it as an embedded image). */
export function decodePng(png: Uint8Array): { width: number; height: number; pixels: Buffer } {
  const bytes = Buffer.from(png);
  if (!bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG (bad signature)');
  if (bytes.subarray(12, 16).toString('latin1') !== 'IHDR') throw new Error('PNG without IHDR first');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}"><image width="${width}" height="${height}" xlink:href="data:image/png;base64,${bytes.toString('base64')}"/></svg>`;
  return { width, height, pixels: new Resvg(svg, { font: { loadSystemFonts: false } }).render().pixels };
}

/**
 * How many pixels of the top `bandPx` rows differ clearly (luminance by more than 64) between two
 * PNGs of the same size: the title band of a chart against the same chart drawn without its text.
 */
export function differingPixels(a: Uint8Array, b: Uint8Array, bandPx: number): number {
  const x = decodePng(a);
  const y = decodePng(b);
  if (x.width !== y.width || x.height !== y.height) throw new Error(`sizes differ: ${x.width}×${x.height} vs ${y.width}×${y.height}`);
  const lum = (p: Buffer, i: number) => 0.299 * p[i]! + 0.587 * p[i + 1]! + 0.114 * p[i + 2]!;
  let n = 0;
  for (let i = 0; i < Math.min(bandPx, x.height) * x.width * 4; i += 4) if (Math.abs(lum(x.pixels, i) - lum(y.pixels, i)) > 64) n++;
  return n;
}
