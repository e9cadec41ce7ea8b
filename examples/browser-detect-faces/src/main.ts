import { type BoundingBox, FaceService, RekognitionError } from '@facekit/core';
import { createBrowserFaceAnalyzer } from '@facekit/pipeline-web';
import { createMemoryFaceStore } from '@facekit/storage-memory';

// Everything runs in this page: the analyzer downloads the models once (sha256-checked), then
// the photos are decoded and analysed here; FaceService answers in Rekognition's shapes.
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = element<HTMLParagraphElement>('status');

const analyzer = await createBrowserFaceAnalyzer({
  modelBaseUrl: new URL('./models/', location.href),
  wasmPaths: new URL('./ort/', location.href).href,
});
const service = new FaceService({ store: createMemoryFaceStore(), analyzers: [analyzer] });
try {
  await analyzer.load();
  status.textContent = 'Ready: pick a photo.';
  status.dataset.state = 'ready';
} catch (error) {
  fail(status, error);
}

/** `Image.Bytes` as the wire carries it: base64. */
async function imageOf(file: File): Promise<{ Bytes: string }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return { Bytes: btoa(binary) };
}

function fail(target: HTMLElement, error: unknown): void {
  const name = RekognitionError.isInstance(error) ? error.name : 'Error';
  target.textContent = `${name}: ${error instanceof Error ? error.message : String(error)}`;
  target.dataset.state = 'error';
  console.error(error);
}

element<HTMLInputElement>('detect-file').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  const summary = element<HTMLParagraphElement>('detect-summary');
  const json = element<HTMLPreElement>('detect-json');
  if (!file) return;
  summary.dataset.state = 'running';
  summary.textContent = 'Detecting…';
  try {
    const started = performance.now();
    const response = await service.detectFaces({ Image: await imageOf(file) });
    const ms = performance.now() - started;
    const faces = response.FaceDetails ?? [];
    summary.textContent = `${faces.length} face(s) in ${ms.toFixed(0)} ms`;
    summary.dataset.ms = ms.toFixed(1);
    json.textContent = JSON.stringify(response, null, 2);
    await draw(
      file,
      faces.map((face) => face.BoundingBox ?? {}),
    );
    summary.dataset.state = 'done';
  } catch (error) {
    fail(summary, error);
  }
});

element<HTMLButtonElement>('compare-run').addEventListener('click', async () => {
  const source = element<HTMLInputElement>('compare-source').files?.[0];
  const target = element<HTMLInputElement>('compare-target').files?.[0];
  const summary = element<HTMLParagraphElement>('compare-summary');
  const json = element<HTMLPreElement>('compare-json');
  if (!source || !target) {
    summary.textContent = 'Pick a source and a target photo.';
    return;
  }
  summary.dataset.state = 'running';
  summary.textContent = 'Comparing…';
  try {
    const response = await service.compareFaces({
      SourceImage: await imageOf(source),
      TargetImage: await imageOf(target),
      SimilarityThreshold: 0,
    });
    const best = Math.max(0, ...(response.FaceMatches ?? []).map((m) => m.Similarity ?? 0));
    summary.textContent = `Highest similarity: ${best.toFixed(1)}% (${response.FaceMatches?.length ?? 0} matched, ${response.UnmatchedFaces?.length ?? 0} unmatched)`;
    json.textContent = JSON.stringify(response, null, 2);
    summary.dataset.state = 'done';
  } catch (error) {
    fail(summary, error);
  }
});

/** The photo, upright as the browser shows it, with the boxes DetectFaces returned. */
async function draw(file: File, boxes: BoundingBox[]): Promise<void> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const canvas = element<HTMLCanvasElement>('detect-canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  context.strokeStyle = '#0f0';
  context.lineWidth = Math.max(2, bitmap.width / 300);
  for (const box of boxes) {
    context.strokeRect(
      (box.Left ?? 0) * canvas.width,
      (box.Top ?? 0) * canvas.height,
      (box.Width ?? 0) * canvas.width,
      (box.Height ?? 0) * canvas.height,
    );
  }
}
