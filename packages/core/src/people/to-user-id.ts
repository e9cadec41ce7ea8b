/**
 * A folder name made a valid `UserId` (pattern `[a-zA-Z0-9_.\-:]+`, 1–128 characters, from the
 * API model): spaces and other characters outside the pattern become `_`, accents are dropped
 * first (`José María` → `Jose_Maria`), and long names are cut to 128.
 */
export function toUserId(folderName: string): string {
  const id = folderName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-zA-Z0-9_.\-:]/g, '_')
    .slice(0, 128);
  return id.length > 0 ? id : 'user';
}
