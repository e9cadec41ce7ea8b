/** `0.9876` → `98.8%`; `n/a` for NaN. */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : 'n/a';
}

/** A number with `digits` decimals; `n/a` for NaN. */
export function num(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** `PASS` or `MISS`, padded to the same width. */
export function verdict(pass: boolean): 'PASS' | 'MISS' {
  return pass ? 'PASS' : 'MISS';
}

/**
 * Rows as aligned text columns, two spaces apart, every line prefixed by `indent`. `align` has one
 * letter per column, `l` or `r`; by default the first column is left-aligned and the others right.
 */
export function formatTable(
  rows: readonly (readonly string[])[],
  indent = '  ',
  align = 'l',
): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => {
            const pad = ' '.repeat(widths[i] - [...cell].length);
            return (align[i] ?? 'r') === 'l' ? cell + pad : pad + cell;
          })
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}
