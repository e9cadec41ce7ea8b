/** A rectangle in pixels of the frame. */
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Below this width (px on screen) a face shows no landmark dots: they would hide it. */
const MIN_FACE_FOR_DOTS = 28;

/**
 * Lays out the marks of one image once its size is known: landmark dots sized to their face (a
 * 24th of its width, 1.5–4 px; none on faces too small to show them), and each label at the
 * first of a few places around its box (above, below, inside, beside) that covers no other face,
 * else at the one that covers least (other faces count most, then labels already placed, then
 * leaving the picture). A label that would still cover a face shows only on hover. `--draw` in
 * the CLI places its labels by the same rule (`packages/cli/src/draw.ts`).
 */
export function placeLabels(frame: HTMLElement) {
  const origin = frame.getBoundingClientRect();
  if (origin.width === 0) return;
  const within = (element: Element): Rect => {
    const r = element.getBoundingClientRect();
    return { x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height };
  };
  const boxes = [...frame.querySelectorAll<HTMLElement>(':scope > .box')].map((element) => ({
    element,
    rect: within(element),
  }));
  const placed: Rect[] = [];
  const bounds: Rect = { x: 0, y: 0, w: origin.width, h: origin.height };
  for (const box of boxes) {
    const dot = Math.min(4, Math.max(1.5, box.rect.w / 24));
    box.element.style.setProperty('--dot', `${dot.toFixed(2)}px`);
    box.element.classList.toggle('tiny', box.rect.w < MIN_FACE_FOR_DOTS);

    const label = box.element.querySelector<HTMLElement>(':scope > .label');
    if (!label) continue;
    const { width: w, height: h } = label.getBoundingClientRect();
    const others = boxes.filter((other) => other !== box).map((other) => other.rect);
    const faceCost = (c: Rect) => sum(others.map((o) => overlap(c, o)));
    const cost = (c: Rect) =>
      4 * faceCost(c) +
      2 * sum(placed.map((p) => overlap(c, p))) +
      (c.w * c.h - overlap(c, bounds));
    const candidates = candidatesAround(box.rect, w, h);
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
    // Where every place would cover a face, the label shows on hover only.
    const covers = faceCost(best) > 0;
    label.classList.toggle('hover-only', covers);
    if (covers) box.element.title = label.textContent ?? '';
    else box.element.removeAttribute('title');
    if (!covers) placed.push(best);
    const b = box.rect;
    // Offsets are from the box's padding edge, inside its border.
    label.style.left = `${(best.x - b.x - box.element.clientLeft).toFixed(1)}px`;
    label.style.top = `${(best.y - b.y - box.element.clientTop).toFixed(1)}px`;
    label.style.bottom = 'auto';
  }
}

/**
 * Places for a `w`×`h` label around box `b`, best first: above and below (left-aligned,
 * right-aligned, centred, then pushed out to either side), inside the top, then beside it.
 */
function candidatesAround(b: Rect, w: number, h: number): Rect[] {
  const xs = [b.x, b.x + b.w - w, b.x + (b.w - w) / 2, b.x - w + 4, b.x + b.w - 4];
  return [
    ...xs.map((x) => ({ x, y: b.y - h, w, h })),
    ...xs.map((x) => ({ x, y: b.y + b.h, w, h })),
    { x: b.x, y: b.y, w, h },
    { x: b.x + b.w, y: b.y, w, h },
    { x: b.x - w, y: b.y, w, h },
    { x: b.x + b.w, y: b.y + b.h - h, w, h },
    { x: b.x - w, y: b.y + b.h - h, w, h },
  ];
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
