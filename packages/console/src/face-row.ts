import type { Face } from '@aws-sdk/client-rekognition';
import { type Child, h } from './dom.js';
import { pictureOf } from './face-pictures.js';
import { faceThumbnail } from './image-view.js';

export const shortId = (id: string | undefined) => (id ? id.slice(0, 8) : '–');

/**
 * A face of the collection as a table row. Its thumbnail appears when the photo is known (indexed
 * from this tab, or kept by the server); the row does not wait for it.
 */
export function faceRow(face: Face | undefined, ...leading: Child[]) {
  const slot = h('td', { class: 'thumb-cell' });
  const box = face?.BoundingBox;
  if (box) {
    void pictureOf(face?.ImageId).then((picture) => {
      if (picture) slot.append(faceThumbnail(picture, box));
    });
  }
  return h(
    'tr',
    null,
    leading,
    slot,
    h('td', { class: 'external-id' }, face?.ExternalImageId ?? '–'),
    h('td', { class: 'mono small', title: face?.FaceId }, face?.FaceId ?? '–'),
    h('td', null, face?.UserId ?? ''),
  );
}
