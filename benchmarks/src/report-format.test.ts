import { describe, expect, it } from 'vitest';
import { formatTable, num, pct, verdict } from './report-format.js';

describe('report format', () => {
  it('formats percentages, numbers and verdicts', () => {
    expect(pct(0.98765)).toBe('98.8%');
    expect(pct(Number.NaN)).toBe('n/a');
    expect(num(1.25, 2)).toBe('1.25');
    expect(verdict(true)).toBe('PASS');
    expect(verdict(false)).toBe('MISS');
  });

  it('aligns columns', () => {
    expect(
      formatTable([
        ['band', 'recall'],
        ['32–96 px', '85.0%'],
      ]),
    ).toBe('  band      recall\n  32–96 px   85.0%');
    expect(
      formatTable(
        [
          ['MISS', 'a', '1'],
          ['PASS', 'bb', '22'],
        ],
        '',
        'lll',
      ),
    ).toBe('MISS  a   1\nPASS  bb  22');
  });
});
