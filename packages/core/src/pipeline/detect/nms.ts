/**
 * Intersection over union of boxes `i` and `j` of a packed `[x1, y1, x2, y2, …]` array; 0 when
 * either is empty.
 */
export function iou(boxes: ArrayLike<number>, i: number, j: number): number {
  const a = i * 4;
  const b = j * 4;
  const areaA = Math.max(0, boxes[a + 2] - boxes[a]) * Math.max(0, boxes[a + 3] - boxes[a + 1]);
  const areaB = Math.max(0, boxes[b + 2] - boxes[b]) * Math.max(0, boxes[b + 3] - boxes[b + 1]);
  const w = Math.min(boxes[a + 2], boxes[b + 2]) - Math.max(boxes[a], boxes[b]);
  const h = Math.min(boxes[a + 3], boxes[b + 3]) - Math.max(boxes[a + 1], boxes[b + 1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression: visits boxes by descending score and keeps each one whose IoU
 * with every box kept so far is at most `iouThreshold`.
 * @param boxes packed `[x1, y1, x2, y2]` per box, any unit.
 * @param scores one per box.
 * @param maxKeep stop after this many boxes.
 * @returns indices of the kept boxes, best score first (ties: lower index first).
 */
export function nms(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  iouThreshold: number,
  maxKeep = Number.POSITIVE_INFINITY,
): number[] {
  const n = scores.length;
  if (boxes.length < n * 4) throw new RangeError(`nms: ${n} scores but ${boxes.length / 4} boxes.`);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  const keep: number[] = [];
  for (const candidate of order) {
    if (keep.length >= maxKeep) break;
    let suppressed = false;
    for (const kept of keep) {
      if (iou(boxes, kept, candidate) > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) keep.push(candidate);
  }
  return keep;
}
