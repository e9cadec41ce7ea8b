import type { CliStream } from './cli-io.js';

/**
 * Progress of a batch on stderr: a bar with rate and ETA redrawn in place on a terminal, one
 * plain line per item otherwise (logs, CI), nothing when quiet.
 */
export class Progress {
  readonly #stream: CliStream;
  readonly #total: number;
  readonly #mode: 'bar' | 'lines' | 'off';
  readonly #started = performance.now();
  #done = 0;
  #lastDraw = 0;

  constructor(stream: CliStream, total: number, quiet: boolean) {
    this.#stream = stream;
    this.#total = total;
    this.#mode = quiet ? 'off' : stream.isTTY ? 'bar' : 'lines';
  }

  /** Records one finished item; `line` describes it (shown as is in plain mode). */
  tick(line: string): void {
    this.#done++;
    if (this.#mode === 'lines') {
      this.#stream.write(`[${this.#done}/${this.#total}] ${line}\n`);
    } else if (this.#mode === 'bar') {
      const now = performance.now();
      if (now - this.#lastDraw > 80 || this.#done === this.#total) {
        this.#lastDraw = now;
        this.#draw();
      }
    }
  }

  /** A message that must stay visible (a failure), printed above the bar. */
  note(line: string): void {
    if (this.#mode === 'off') return;
    if (this.#mode === 'bar') this.#stream.write(`\r\x1b[K${line}\n`);
    else this.#stream.write(`${line}\n`);
    if (this.#mode === 'bar') this.#draw();
  }

  finish(): void {
    if (this.#mode === 'bar') this.#stream.write('\r\x1b[K');
  }

  #draw(): void {
    const elapsed = (performance.now() - this.#started) / 1000;
    const rate = elapsed > 0 ? this.#done / elapsed : 0;
    const eta = rate > 0 ? (this.#total - this.#done) / rate : Number.NaN;
    const width = Math.max(10, Math.min(40, (this.#stream.columns ?? 80) - 45));
    const filled = this.#total === 0 ? width : Math.round((width * this.#done) / this.#total);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    this.#stream.write(
      `\r\x1b[K${bar} ${this.#done}/${this.#total}  ${rate.toFixed(1)} img/s  ETA ${formatDuration(eta)}`,
    );
  }
}

/** `m:ss`, or `?` before the first rate is known. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
