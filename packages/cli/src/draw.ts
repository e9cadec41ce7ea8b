import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { BoundingBox, Landmark } from '@facekit/core';

/** One face to draw: its box (ratios of the image, as the API returns them), points and label. */
export interface FaceMark {
  box: BoundingBox;
  landmarks?: readonly Landmark[];
  /** Short text beside the box (above when that covers no other face), e.g. `ana.jpg 98.7%`. */
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

/**
 * The overlay: sizes scale with the image so marks stay readable on small and large photos.
 * Landmark dots are sized to their face (none on faces under 24 px, which they would hide), and
 * each label goes where it covers no other face (see {@link placeLabel}).
 */
export function overlaySvg(width: number, height: number, marks: readonly FaceMark[]): string {
  const unit = Math.max(1, Math.min(width, height) / 400);
  const stroke = (2 * unit).toFixed(1);
  const fontSize = Math.round(12 * unit);
  const rects = marks.map(
    (mark): Rect => ({
      x: (mark.box.Left ?? 0) * width,
      y: (mark.box.Top ?? 0) * height,
      w: (mark.box.Width ?? 0) * width,
      h: (mark.box.Height ?? 0) * height,
    }),
  );
  const placed: Rect[] = [];
  const parts = marks.map((mark, i) => {
    const color = mark.color ?? markColors.face;
    const { x, y, w, h } = rects[i];
    let out = `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${color}" stroke-width="${stroke}"/>`;
    const radius = Math.min(1.6 * unit, Math.max(0.8, w / 48));
    for (const point of w >= 24 ? (mark.landmarks ?? []) : []) {
      out += `<circle cx="${((point.X ?? 0) * width).toFixed(1)}" cy="${((point.Y ?? 0) * height).toFixed(1)}" r="${radius.toFixed(1)}" fill="#38bdf8"/>`;
    }
    if (mark.label) {
      const size = { w: mark.label.length * fontSize * 0.62 + 4 * unit, h: fontSize + 4 * unit };
      const others = rects.filter((_, j) => j !== i);
      const label = placeLabel(rects[i], size, others, placed, { x: 0, y: 0, w: width, h: height });
      placed.push(label);
      out +=
        `<rect x="${label.x.toFixed(1)}" y="${label.y.toFixed(1)}" width="${label.w.toFixed(1)}" height="${label.h.toFixed(1)}" fill="${color}"/>` +
        `<text x="${(label.x + 2 * unit).toFixed(1)}" y="${(label.y + fontSize).toFixed(1)}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="${fontSize}" fill="#000">${escapeXml(mark.label)}</text>`;
    }
    return out;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** A rectangle in image pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Where a label of `size` goes beside `box`: the first place that covers no other face, of above
 * and below (left-aligned, right-aligned, centred, pushed out to either side), inside the top,
 * then beside the box; else the one that covers least (other faces count most, then labels placed
 * before, then leaving the image). The web console places its labels by the same rule
 * (`packages/console/src/label-placement.ts`).
 */
export function placeLabel(
  box: Rect,
  size: { w: number; h: number },
  faces: readonly Rect[],
  labels: readonly Rect[],
  image: Rect,
): Rect {
  const { w, h } = size;
  const xs = [box.x, box.x + box.w - w, box.x + (box.w - w) / 2, box.x - w + 4, box.x + box.w - 4];
  const candidates: Rect[] = [
    ...xs.map((x) => ({ x, y: box.y - h, w, h })),
    ...xs.map((x) => ({ x, y: box.y + box.h, w, h })),
    { x: box.x, y: box.y, w, h },
    { x: box.x + box.w, y: box.y, w, h },
    { x: box.x - w, y: box.y, w, h },
    { x: box.x + box.w, y: box.y + box.h - h, w, h },
    { x: box.x - w, y: box.y + box.h - h, w, h },
  ];
  const cost = (c: Rect) =>
    4 * sumOf(faces.map((f) => overlap(c, f))) +
    2 * sumOf(labels.map((l) => overlap(c, l))) +
    (w * h - overlap(c, image));
  let best = candidates[0];
  let bestCost = cost(best);
  for (const candidate of candidates.slice(1)) {
    if (bestCost === 0) break;
    const c = cost(candidate);
    if (c < bestCost) {
      best = candidate;
      bestCost = c;
    }
  }
  return best;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const sumOf = (values: readonly number[]) => values.reduce((total, v) => total + v, 0);

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}
