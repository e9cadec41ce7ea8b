import type { CliIo } from './cli-io.js';

export type OutputFormat = 'table' | 'json' | 'jsonl' | 'csv';
/** The formats of every command; a command may accept more (`search`: csv). */
export const outputFormats: readonly OutputFormat[] = ['table', 'json', 'jsonl'];

/**
 * Prints one API response: `json` exactly as the API returns it (indented, like `aws
 * rekognition`), `jsonl` on one line, `table` through the command's renderer.
 */
export function emit(io: CliIo, format: OutputFormat, response: unknown, table: () => string) {
  if (format === 'json') io.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  else if (format === 'jsonl') io.stdout.write(`${JSON.stringify(response)}\n`);
  else io.stdout.write(table());
}

/** A plain text table: left-aligned columns, a header line, two spaces between columns. */
export function renderTable(headers: readonly string[], rows: readonly (readonly unknown[])[]) {
  const cells = rows.map((row) => row.map((cell) => (cell === undefined ? '-' : String(cell))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

/** `key  value` lines, keys aligned. */
export function renderFields(fields: readonly (readonly [string, unknown])[]) {
  const width = Math.max(...fields.map(([k]) => k.length));
  return fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${String(v)}\n`)
    .join('');
}

export const percent = (value: number | undefined) =>
  value === undefined ? undefined : `${value.toFixed(1)}%`;

/** A bounding box as `left,top width×height` in ratios of the image. */
export const box = (b: { Left?: number; Top?: number; Width?: number; Height?: number } = {}) =>
  `${fix(b.Left)},${fix(b.Top)} ${fix(b.Width)}×${fix(b.Height)}`;

const fix = (n: number | undefined) => (n === undefined ? '?' : n.toFixed(3));

/** One CSV record (RFC 4180: quoted when it holds a comma, quote or line break). */
export function csvLine(cells: readonly unknown[]): string {
  return `${cells
    .map((cell) => {
      const text = cell === undefined || cell === null ? '' : String(cell);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',')}\n`;
}
