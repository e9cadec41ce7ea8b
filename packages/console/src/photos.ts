import { h } from './dom.js';
import type { KnownImage } from './image-view.js';
import { notice } from './session.js';

/** Image.Bytes may hold 5 MiB; larger photos are re-encoded smaller in the browser first. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** A file input that also takes dropped files. */
export function dropZone(
  id: string,
  text: string,
  multiple: boolean,
  onFiles: (files: File[]) => void,
) {
  const input = h('input', {
    id,
    type: 'file',
    accept: 'image/jpeg,image/png',
    multiple,
  });
  const zone = h('label', { class: 'drop', for: id }, input, h('span', null, text));
  const accept = (files: FileList | null | undefined) => {
    const images = [...(files ?? [])].filter((file) => /^image\/(jpeg|png)$/.test(file.type));
    if (images.length > 0) onFiles(multiple ? images : images.slice(0, 1));
    else if (files && files.length > 0) notice('Only JPEG and PNG photos can be sent.');
  };
  input.addEventListener('change', () => {
    accept(input.files);
    input.value = '';
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    accept(event.dataTransfer?.files);
  });
  return zone;
}

/**
 * The bytes to send: the file itself, or, over the API's 5 MiB, a JPEG re-encoded at most
 * 2048 px wide (the browser applies EXIF orientation when decoding, so box ratios still match).
 */
export async function imageBytes(file: File): Promise<Uint8Array> {
  if (file.size <= MAX_IMAGE_BYTES) return new Uint8Array(await file.arrayBuffer());
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 2048 / Math.max(bitmap.width, bitmap.height));
  const canvas = new OffscreenCanvas(
    Math.round(bitmap.width * scale),
    Math.round(bitmap.height * scale),
  );
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
  return new Uint8Array(await blob.arrayBuffer());
}

/** An object URL of the image and its natural size, once decoded. */
export async function knownImage(image: Blob): Promise<KnownImage> {
  const url = URL.createObjectURL(image);
  const element = new Image();
  element.src = url;
  await element.decode().catch(() => undefined);
  return { url, width: element.naturalWidth || 1, height: element.naturalHeight || 1 };
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
