import type { BoundingBox, Landmark } from '@aws-sdk/client-rekognition';
import { h } from './dom.js';
import { placeLabels } from './label-placement.js';

/**
 * How a box is drawn: a detected face, a match, a candidate scored below the match threshold, a
 * face without a match, the searched face.
 */
export type Tone = 'face' | 'match' | 'candidate' | 'unmatched' | 'searched';

export interface Overlay {
  box: BoundingBox | undefined;
  /** Short text drawn beside the box (e.g. `#1`, `94.9%`). */
  label?: string;
  tone?: Tone;
  landmarks?: readonly Landmark[];
}

/**
 * An image with boxes, landmarks and labels over it. Rekognition's coordinates are ratios of the
 * image's width and height, so boxes are positioned in percent and follow any display size, and
 * landmarks in percent of their box. Once laid out (and on every resize), dots are sized to their
 * face and labels moved to where they cover no other face (`label-placement.ts`). Browsers apply
 * EXIF orientation as the server does, so the ratios match what is shown.
 */
export function imageView(url: string, overlays: readonly Overlay[], alt = ''): HTMLElement {
  const frame = h('div', { class: 'frame' }, h('img', { src: url, alt }));
  overlays.forEach((overlay, index) => {
    const box = overlay.box;
    if (!box) return;
    const tone = overlay.tone ?? 'face';
    const left = box.Left ?? 0;
    const top = box.Top ?? 0;
    const width = box.Width || 1;
    const height = box.Height || 1;
    frame.append(
      h(
        'div',
        {
          class: `box ${tone}`,
          'data-face': index,
          style: `left:${pct(left)};top:${pct(top)};width:${pct(width)};height:${pct(height)}`,
        },
        (overlay.landmarks ?? []).map((point) =>
          h('i', {
            class: 'landmark',
            title: point.Type,
            style: `left:${pct(((point.X ?? 0) - left) / width)};top:${pct(((point.Y ?? 0) - top) / height)}`,
          }),
        ),
        overlay.label && h('span', { class: 'label' }, overlay.label),
      ),
    );
  });
  new ResizeObserver(() => placeLabels(frame)).observe(frame);
  return h('figure', { class: 'image-view' }, frame);
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(3)}%`;

/** An indexed photo seen in this tab, to show matched faces as thumbnails. */
export interface KnownImage {
  url: string;
  width: number;
  height: number;
}

/**
 * A face cut out of a known image with CSS alone (background size and position from the box),
 * `size` pixels high.
 */
export function faceThumbnail(image: KnownImage, box: BoundingBox, size = 56): HTMLElement {
  const width = box.Width ?? 1;
  const height = box.Height ?? 1;
  const left = box.Left ?? 0;
  const top = box.Top ?? 0;
  const aspect = (width * image.width) / (height * image.height);
  const position = (offset: number, extent: number) =>
    extent >= 1 ? '0%' : `${((offset / (1 - extent)) * 100).toFixed(3)}%`;
  return h('span', {
    class: 'thumb',
    style:
      `width:${Math.round(size * aspect)}px;height:${size}px;` +
      `background-image:url("${image.url}");` +
      `background-size:${(100 / width).toFixed(3)}% ${(100 / height).toFixed(3)}%;` +
      `background-position:${position(left, width)} ${position(top, height)}`,
  });
}
