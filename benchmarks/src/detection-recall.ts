/** Face height bands of the detection report, by ground-truth box height in pixels. */
export const heightBands = ['<32 px', '32–96 px', '>96 px'] as const;

/** Index in {@link heightBands} of a face `height` pixels tall (32 and 96 fall in the middle band). */
export function heightBand(height: number): 0 | 1 | 2 {
  if (height < 32) return 0;
  return height <= 96 ? 1 : 2;
}

export interface BandRecall {
  band: (typeof heightBands)[number];
  found: number;
  total: number;
  /** found / total; NaN when the band is empty. */
  recall: number;
}

/**
 * Recall per height band over images whose ground-truth `boxes` (`[x, y, width, height]`) were
 * matched (`found[i]`), e.g. by `matchDetections`.
 */
export function recallByHeight(
  images: readonly { boxes: readonly (readonly number[])[]; found: readonly boolean[] }[],
): BandRecall[] {
  const found = [0, 0, 0];
  const total = [0, 0, 0];
  for (const image of images) {
    image.boxes.forEach((box, i) => {
      const band = heightBand(box[3]);
      total[band]++;
      if (image.found[i]) found[band]++;
    });
  }
  return heightBands.map((band, i) => ({
    band,
    found: found[i],
    total: total[i],
    recall: total[i] > 0 ? found[i] / total[i] : Number.NaN,
  }));
}
