import type { RgbImage } from '../../image/raster.js';

/** Clockwise quarter turns: 0, 90°, 180° or 270°. */
export type QuarterTurns = 0 | 1 | 2 | 3;

/**
 * `image` turned clockwise by `turns` quarter turns. Used to find faces in photos taken sideways
 * or upside down whose file says nothing of it (no EXIF orientation): the detector only knows
 * upright faces.
 */
export function rotateQuarterTurns(image: RgbImage, turns: QuarterTurns): RgbImage {
  if (turns === 0) return image;
  const { width: w, height: h, data } = image;
  const [ow, oh] = turns === 2 ? [w, h] : [h, w];
  const out = new Uint8Array(data.length);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      // The source pixel that lands at (x, y) after the turn.
      const [sx, sy] =
        turns === 1 ? [y, h - 1 - x] : turns === 2 ? [w - 1 - x, h - 1 - y] : [w - 1 - y, x];
      const s = (sy * w + sx) * 3;
      const o = (y * ow + x) * 3;
      out[o] = data[s];
      out[o + 1] = data[s + 1];
      out[o + 2] = data[s + 2];
    }
  }
  return { width: ow, height: oh, data: out };
}

/**
 * Maps a point of the turned image (continuous pixel coordinates, as boxes and landmarks use)
 * back to the original image of `width` × `height`.
 */
export function unturnPoint(
  x: number,
  y: number,
  turns: QuarterTurns,
  width: number,
  height: number,
): [number, number] {
  switch (turns) {
    case 0:
      return [x, y];
    case 1:
      return [y, height - x];
    case 2:
      return [width - x, height - y];
    case 3:
      return [width - y, x];
  }
}

/** A roll angle measured in the turned image, as seen in the original image: (-180, 180]. */
export function unturnRoll(roll: number, turns: QuarterTurns): number {
  const r = (((roll - 90 * turns) % 360) + 360) % 360;
  return r > 180 ? r - 360 : r;
}
