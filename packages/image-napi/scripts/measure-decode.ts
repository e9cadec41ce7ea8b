/**
 * Measures decode time (not a test): `npx tsx scripts/measure-decode.ts [file.jpg ...]`.
 * Defaults to a 1024 px WIDER FACE photo and a 5568×3712 NASA photo from ../shared/datasets.
 * Reports the median of 10 runs after 2 warm-ups, the library's bare `rawPixels()` for
 * comparison, and the longest event-loop stall seen while decoding.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Transformer } from '@napi-rs/image';
import { createNapiImageDecoder } from '../src/index.js';

const root = new URL('../../../../shared/datasets/', import.meta.url);
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : [
        'widerface-val-subset/data/WIDER_val/images/4--Dancing/4_Dancing_Dancing_4_189.jpg',
        'misc/large-nasa/andrew-morgan-and-nick-hague-conduct-in-flight-interviews_48708316717_o.jpg',
        'misc/exif-orientation/Landscape_6.jpg',
      ].map((path) => fileURLToPath(new URL(path, root)));

const decoder = createNapiImageDecoder();

async function median(run: () => Promise<unknown>, n = 10): Promise<number> {
  for (let i = 0; i < 2; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

/** Longest gap between 1 ms timer ticks while `run` is in flight. */
async function longestStall(run: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  for (let i = 0; i < 5; i++) await run();
  clearInterval(timer);
  return worst;
}

for (const file of files) {
  if (!existsSync(file)) {
    console.log(`skipped (not found): ${file}`);
    continue;
  }
  const bytes = new Uint8Array(readFileSync(file));
  const out = await decoder.decode(bytes);
  const decode = await median(() => decoder.decode(bytes));
  const raw = await median(() => new Transformer(bytes).rawPixels());
  const stall = await longestStall(() => decoder.decode(bytes));
  console.log(
    `${file.split('/').pop()}: ${out.width}x${out.height} orientation ${out.orientation}, ` +
      `${(bytes.length / 1024).toFixed(0)} KiB: decode ${decode.toFixed(1)} ms ` +
      `(bare rawPixels ${raw.toFixed(1)} ms), longest event-loop stall ${stall.toFixed(1)} ms`,
  );
}
