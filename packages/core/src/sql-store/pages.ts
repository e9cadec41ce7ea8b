import { InvalidPaginationTokenException } from '../errors/exceptions.js';
import type { Page } from '../storage/face-store.js';
import type { SqlInt } from './rows.js';

/**
 * The `seq` after which a page starts: cursors are a row's `seq` as a decimal string of at most
 * `maxDigits` digits (15 keeps SQLite's below 2^53; 18 PostgreSQL's bigint), `'0'` for the first.
 * @throws {InvalidPaginationTokenException} for anything else.
 */
export function parseSeqCursor(after: string | undefined, maxDigits: number): string {
  if (after === undefined) return '0';
  if (!new RegExp(`^[1-9]\\d{0,${maxDigits - 1}}$`).test(after)) {
    throw new InvalidPaginationTokenException('Invalid Pagination Token');
  }
  return after;
}

/** Rows fetched with `LIMIT limit + 1`, so one extra row says that more follow. */
export function toPage<R extends { seq: SqlInt }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const next = rows.length > limit ? String(items[items.length - 1].seq) : undefined;
  return next === undefined ? { items: items.map(map) } : { items: items.map(map), next };
}
