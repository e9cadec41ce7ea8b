// Synthetic inputs for pipeline tests: images, a frontal 68-point face and a stand-in detector.
import type { RgbImage } from '../../image/raster.js';
import type { Tensor } from '../../inference/inference-backend.js';

export function blankImage(width: number, height: number, value = 0): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(value) };
}

/** Paints the pixels of `[x, x + w) × [y, y + h)` (clipped to the image) with one RGB value. */
export function fillRect(
  image: RgbImage,
  x: number,
  y: number,
  w: number,
  h: number,
  rgb: readonly [number, number, number] = [255, 255, 255],
): void {
  for (let j = Math.max(0, y); j < Math.min(image.height, y + h); j++) {
    for (let i = Math.max(0, x); i < Math.min(image.width, x + w); i++) {
      const p = (j * image.width + i) * 3;
      image.data[p] = rgb[0];
      image.data[p + 1] = rgb[1];
      image.data[p + 2] = rgb[2];
    }
  }
}

export function pixel(image: RgbImage, x: number, y: number): [number, number, number] {
  const p = (y * image.width + x) * 3;
  return [image.data[p], image.data[p + 1], image.data[p + 2]];
}

/**
 * A rough frontal face in iBUG 300-W order, as fractions of a square around it (x right, y
 * down): jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67. Left/right symmetric.
 */
export function meanFace68(): Float32Array {
  const p = new Float32Array(136);
  const set = (i: number, x: number, y: number) => {
    p[i * 2] = x;
    p[i * 2 + 1] = y;
  };
  const mirror = (i: number, of: number) => set(i, 1 - p[of * 2], p[of * 2 + 1]);
  for (let i = 0; i <= 16; i++) {
    const t = (i * Math.PI) / 16;
    set(i, 0.5 - 0.42 * Math.cos(t), 0.35 + 0.55 * Math.sin(t));
  }
  [
    [0.17, 0.27],
    [0.23, 0.24],
    [0.3, 0.23],
    [0.37, 0.24],
    [0.43, 0.26],
  ].forEach(([x, y], k) => {
    set(17 + k, x, y);
  });
  for (let k = 0; k < 5; k++) mirror(26 - k, 17 + k);
  [0.36, 0.44, 0.52, 0.6].forEach((y, k) => {
    set(27 + k, 0.5, y);
  });
  set(31, 0.41, 0.65);
  set(32, 0.45, 0.665);
  set(33, 0.5, 0.68);
  mirror(34, 32);
  mirror(35, 31);
  set(36, 0.23, 0.38);
  set(37, 0.29, 0.355);
  set(38, 0.35, 0.355);
  set(39, 0.41, 0.385);
  set(40, 0.35, 0.405);
  set(41, 0.29, 0.405);
  mirror(42, 39);
  mirror(43, 38);
  mirror(44, 37);
  mirror(45, 36);
  mirror(46, 41);
  mirror(47, 40);
  set(48, 0.36, 0.76);
  set(49, 0.41, 0.735);
  set(50, 0.46, 0.725);
  set(51, 0.5, 0.73);
  mirror(52, 50);
  mirror(53, 49);
  mirror(54, 48);
  set(55, 0.59, 0.8);
  set(56, 0.545, 0.815);
  set(57, 0.5, 0.82);
  mirror(58, 56);
  mirror(59, 55);
  set(60, 0.39, 0.76);
  set(61, 0.45, 0.75);
  set(62, 0.5, 0.752);
  mirror(63, 61);
  mirror(64, 60);
  set(65, 0.55, 0.775);
  set(66, 0.5, 0.78);
  mirror(67, 65);
  return p;
}

/**
 * A stand-in for the UltraFace detector: finds the bright blobs (first channel > 0 after
 * normalisation, i.e. pixels above the mean) of an NCHW input and reports their bounding boxes
 * as fractions of the input, with probability `score`, padded to `anchors` rows like the real
 * model. Blobs under `minSide` model pixels are missed, as a real detector misses tiny faces. Lets detection plans, tiles and merging be tested on synthetic images without ORT.
 */
export function fakeUltraFace(
  input: Tensor,
  options: { score?: number; minSide?: number; anchors?: number } = {},
): { scores: Tensor; boxes: Tensor } {
  const { score = 0.99, minSide = 1, anchors = 4420 } = options;
  const [, , h, w] = input.dims;
  const on = (i: number) => input.data[i] > 0;
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const found: number[][] = [];
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || !on(start)) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let x1 = w;
    let y1 = h;
    let x2 = -1;
    let y2 = -1;
    while (top > 0) {
      const i = stack[--top];
      const x = i % w;
      const y = (i - x) / w;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
      const next = [
        x > 0 ? i - 1 : -1,
        x < w - 1 ? i + 1 : -1,
        y > 0 ? i - w : -1,
        y < h - 1 ? i + w : -1,
      ];
      for (const j of next) {
        if (j >= 0 && !seen[j] && on(j)) {
          seen[j] = 1;
          stack[top++] = j;
        }
      }
    }
    if (Math.min(x2 - x1, y2 - y1) + 1 >= minSide) {
      found.push([x1 / w, y1 / h, (x2 + 1) / w, (y2 + 1) / h]);
    }
  }
  const scores = new Float32Array(anchors * 2);
  const boxes = new Float32Array(anchors * 4);
  for (let i = 0; i < anchors; i++) scores[i * 2] = 1;
  found.slice(0, anchors).forEach((b, i) => {
    scores[i * 2] = 1 - score;
    scores[i * 2 + 1] = score;
    boxes.set(b, i * 4);
  });
  return {
    scores: { data: scores, dims: [1, anchors, 2] },
    boxes: { data: boxes, dims: [1, anchors, 4] },
  };
}
