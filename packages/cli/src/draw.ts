import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { BoundingBox, Landmark } from '@facekit/core';

/** One face to draw: its box (ratios of the image, as the API returns them), points and label. */
export interface FaceMark {
  box: BoundingBox;
  landmarks?: readonly Landmark[];
  /** Short text above the box, e.g. `ana.jpg 98.7%`. */
  label?: string;
  /** CSS colour of the box and label background. */
  color?: string;
}

export const markColors = {
  face: '#22c55e',
  match: '#22c55e',
  noMatch: '#f59e0b',
  unindexed: '#ef4444',
} as const;

/**
 * Writes a copy of the image (EXIF orientation applied, as the service sees it) with boxes,
 * landmarks and labels composited from an SVG overlay by sharp (libvips + librsvg; labels need a
 * system font, e.g. Debian's fonts-dejavu-core). JPEG unless `outPath` ends in `.png`.
 */
export async function drawFaces(
  image: Uint8Array,
  marks: readonly FaceMark[],
  outPath: string,
  cwd: string,
): Promise<void> {
  const { default: sharp } = await import('sharp');
  const oriented = await sharp(image).rotate().toBuffer({ resolveWithObject: true });
  const { width, height } = oriented.info;
  const svg = overlaySvg(width, height, marks);
  const composed = sharp(oriented.data).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]);
  const bytes =
    extname(outPath).toLowerCase() === '.png'
      ? await composed.png().toBuffer()
      : await composed.jpeg({ quality: 85 }).toBuffer();
  await writeFile(resolve(cwd, outPath), bytes);
}

/** The overlay: sizes scale with the image so marks stay readable on small and large photos. */
export function overlaySvg(width: number, height: number, marks: readonly FaceMark[]): string {
  const unit = Math.max(1, Math.min(width, height) / 400);
  const stroke = (2 * unit).toFixed(1);
  const fontSize = Math.round(12 * unit);
  const parts = marks.map((mark) => {
    const color = mark.color ?? markColors.face;
    const x = (mark.box.Left ?? 0) * width;
    const y = (mark.box.Top ?? 0) * height;
    const w = (mark.box.Width ?? 0) * width;
    const h = (mark.box.Height ?? 0) * height;
    let out = `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${color}" stroke-width="${stroke}"/>`;
    for (const point of mark.landmarks ?? []) {
      out += `<circle cx="${((point.X ?? 0) * width).toFixed(1)}" cy="${((point.Y ?? 0) * height).toFixed(1)}" r="${(1.6 * unit).toFixed(1)}" fill="#38bdf8"/>`;
    }
    if (mark.label) {
      const textWidth = mark.label.length * fontSize * 0.62 + 4 * unit;
      const labelY = y - fontSize - 4 * unit >= 0 ? y - fontSize - 4 * unit : y + h;
      out +=
        `<rect x="${x.toFixed(1)}" y="${labelY.toFixed(1)}" width="${textWidth.toFixed(1)}" height="${(fontSize + 4 * unit).toFixed(1)}" fill="${color}"/>` +
        `<text x="${(x + 2 * unit).toFixed(1)}" y="${(labelY + fontSize).toFixed(1)}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="${fontSize}" fill="#000">${escapeXml(mark.label)}</text>`;
    }
    return out;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}
