import { describe, expect, it } from 'vitest';
import { overlaySvg, placeLabel, type Rect } from '../src/draw.js';

const image: Rect = { x: 0, y: 0, w: 800, h: 600 };
const overlap = (a: Rect, b: Rect) =>
  Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

/** The label rectangles of an overlay, in drawing order (the filled rects after each box). */
function labelRects(svg: string): Rect[] {
  return [
    ...svg.matchAll(
      /<rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)" fill="#/g,
    ),
  ].map((m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }));
}

describe('--draw labels and landmarks', () => {
  it('puts a label above its face when that covers nothing', () => {
    const box = { x: 100, y: 100, w: 80, h: 80 };
    expect(placeLabel(box, { w: 60, h: 16 }, [], [], image)).toEqual({
      x: 100,
      y: 84,
      w: 60,
      h: 16,
    });
  });

  it('moves a label off a face right above its own, and inside the image at the top', () => {
    const upper = { x: 100, y: 100, w: 80, h: 80 };
    const lower = { x: 100, y: 184, w: 80, h: 80 };
    const label = placeLabel(lower, { w: 60, h: 16 }, [upper], [], image);
    expect(overlap(label, upper)).toBe(0);
    expect(label).toEqual({ x: 100, y: 264, w: 60, h: 16 });
    const top = placeLabel({ x: 10, y: 0, w: 80, h: 80 }, { w: 60, h: 16 }, [], [], image);
    expect(overlap(top, image)).toBe(60 * 16);
  });

  it('draws no label of a stacked group over another face', () => {
    // Three faces in a column, each 4 px below the one above: a label above would cover it.
    const marks = [0, 1, 2].map((i) => ({
      box: { Left: 0.3, Top: 0.2 + i * 0.14, Width: 0.1, Height: 0.133 },
      label: `face ${i + 1}`,
    }));
    const svg = overlaySvg(800, 600, marks);
    const boxes = marks.map(({ box }) => ({
      x: box.Left * 800,
      y: box.Top * 600,
      w: box.Width * 800,
      h: box.Height * 600,
    }));
    const labels = labelRects(svg);
    expect(labels).toHaveLength(3);
    labels.forEach((label, i) => {
      for (const [j, box] of boxes.entries()) if (j !== i) expect(overlap(label, box)).toBe(0);
    });
  });

  it('sizes landmark dots to the face and leaves them off faces too small to show them', () => {
    const landmarks = [{ Type: 'nose' as const, X: 0.5, Y: 0.5 }];
    const radius = (svg: string) =>
      [...svg.matchAll(/<circle [^>]* r="([\d.]+)"/g)].map((m) => Number(m[1]));
    // A 4000 px photo: a 960 px face gets the full 1.6 units (16 px), a 48 px one 1 px, a 16 px one none.
    const at = (size: number) =>
      radius(
        overlaySvg(4000, 4000, [
          { box: { Left: 0.4, Top: 0.4, Width: size / 4000, Height: size / 4000 }, landmarks },
        ]),
      );
    expect(at(960)).toEqual([16]);
    expect(at(48)).toEqual([1]);
    expect(at(16)).toEqual([]);
  });
});
