import { DetectFacesCommand } from '@aws-sdk/client-rekognition';
import { h, render } from '../dom.js';
import { imageView } from '../image-view.js';
import { dropZone, imageBytes, knownImage, plural } from '../photos.js';
import { call, session } from '../session.js';
import { faceTable } from './face-table.js';

/** Detect: DetectFaces on one photo, its boxes, landmarks and (optionally) all attributes. */
export function renderDetect(panel: HTMLElement) {
  const all = h('input', { type: 'checkbox', id: 'detect-all' });
  const result = h('div', { class: 'result', 'data-testid': 'detect-result' });
  const run = async (files: File[]) => {
    const file = files[0];
    const attributes = all.checked ? ['ALL'] : ['DEFAULT'];
    render(result, h('p', { class: 'hint' }, `Detecting faces in ${file.name}…`));
    const [bytes, image] = await Promise.all([imageBytes(file), knownImage(file)]);
    const output = await call(() =>
      session.client.send(
        new DetectFacesCommand({ Image: { Bytes: bytes }, Attributes: attributes as ['ALL'] }),
      ),
    );
    if (!output) return render(result);
    const details = output.FaceDetails ?? [];
    render(
      result,
      h('p', { class: 'summary' }, `${file.name}: ${plural(details.length, 'face')}`),
      imageView(
        image.url,
        details.map((face, i) => ({
          box: face.BoundingBox,
          label: `#${i + 1}${face.AgeRange ? ` ${face.AgeRange.Low}–${face.AgeRange.High}` : ''}${face.Gender ? ` ${face.Gender.Value?.[0]}` : ''}`,
          landmarks: face.Landmarks,
        })),
        file.name,
      ),
      details.length > 0 && faceTable(details, all.checked),
    );
  };
  render(
    panel,
    h('p', { class: 'intro' }, 'DetectFaces: boxes, landmarks and attributes of every face.'),
    dropZone('detect-file', 'Drop a photo here, or click to choose one', false, run),
    h('label', { class: 'check' }, all, ' All attributes (Attributes: ["ALL"])'),
    result,
  );
}
