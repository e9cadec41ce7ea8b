/**
 * A file name made valid for ExternalImageId (pattern `[a-zA-Z0-9_.\-:]+`, 1–255 characters): the
 * same rule as `facekit index`, so a photo indexed from the console or the command line gets the
 * same id. Folder separators of a dropped folder's relative path become `:`.
 */
export function externalImageIdOf(name: string): string {
  const id = name
    .split('/')
    .join(':')
    .replace(/[^a-zA-Z0-9_.\-:]/g, '_');
  if (id.length === 0) return 'image';
  return id.length > 255 ? id.slice(id.length - 255) : id;
}
