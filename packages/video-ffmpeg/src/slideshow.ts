import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One shot of a {@link renderSlideshow} video: a photo moving, or nothing (black). */
export interface SlideshowScene {
  /** The photo shown, photos side by side, or none for a black shot (no faces). */
  photo?: string | readonly string[];
  /** How long the shot lasts, in seconds. */
  seconds: number;
  /**
   * How the camera moves over the photo: `pan` slides across it left to right, `zoom` pushes in
   * towards its centre; `still` holds it. Default `pan`.
   */
  motion?: 'pan' | 'zoom' | 'still';
}

export interface SlideshowOptions {
  width: number;
  height: number;
  /** Frames per second. Default 25. */
  fps?: number;
  /** Default `ffmpeg`. */
  ffmpegPath?: string;
}

/**
 * Renders photos into an H.264 MP4 slideshow with camera motion and hard cuts between shots:
 * test videos with known people at known times, made from real photos (tests and `pnpm
 * bench:video` use it; it needs the system's ffmpeg with libx264). Each photo is fitted whole
 * into a canvas a little larger than the frame, then panned or zoomed.
 */
export async function renderSlideshow(
  scenes: readonly SlideshowScene[],
  output: string,
  options: SlideshowOptions,
): Promise<void> {
  const { width: w, height: h } = options;
  const fps = options.fps ?? 25;
  const inputs: string[] = [];
  const filters: string[] = [];
  let input = 0;
  scenes.forEach((scene, i) => {
    const d = scene.seconds;
    // Whole frames, cut by count: `-t` alone drops a frame now and then (0.8 s at 25 fps gave
    // 19), and the shots would drift from their schedule.
    const frames = Math.round(d * fps);
    const inputSeconds = String((frames + 0.5) / fps);
    const exact = `trim=end_frame=${frames},setpts=PTS-STARTPTS`;
    const photos = scene.photo === undefined ? [] : [scene.photo].flat();
    if (photos.length === 0) {
      inputs.push('-f', 'lavfi', '-t', inputSeconds, '-i', `color=c=black:s=${w}x${h}:r=${fps}`);
      filters.push(`[${input++}:v]${exact},format=yuv420p,setsar=1[s${i}]`);
      return;
    }
    // Fit each whole photo (every face stays in view) into its share of a canvas 20% larger
    // than the frame, side by side, so the camera has room to move.
    const [cw, ch] = [2 * Math.round(w * 0.6), 2 * Math.round(h * 0.6)];
    const pw = 2 * Math.floor(cw / photos.length / 2);
    const parts = photos.map((photo, j) => {
      inputs.push('-loop', '1', '-framerate', String(fps), '-t', inputSeconds, '-i', photo);
      filters.push(
        `[${input++}:v]${exact},scale=${pw}:${ch}:force_original_aspect_ratio=decrease,pad=${pw}:${ch}:(ow-iw)/2:(oh-ih)/2,setsar=1[p${i}_${j}]`,
      );
      return `[p${i}_${j}]`;
    });
    const canvas =
      parts.length === 1
        ? `${parts[0]}pad=${cw}:${ch}:(ow-iw)/2:0`
        : `${parts.join('')}hstack=inputs=${parts.length},pad=${cw}:${ch}:(ow-iw)/2:0`;
    const motion = scene.motion ?? 'pan';
    const move =
      motion === 'pan'
        ? `crop=${w}:${h}:x='(iw-${w})*t/${d}':y='(ih-${h})/2'`
        : motion === 'zoom'
          ? `zoompan=z='1+0.3*on/${d * fps}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=${w}x${h}:fps=${fps}`
          : `crop=${w}:${h}`;
    filters.push(`${canvas},${move},format=yuv420p,setsar=1,${exact}[s${i}]`);
  });
  const concat = `${scenes.map((_, i) => `[s${i}]`).join('')}concat=n=${scenes.length}:v=1:a=0[out]`;
  await run(
    options.ffmpegPath ?? 'ffmpeg',
    [
      ...['-nostdin', '-v', 'error', '-y', ...inputs],
      ...['-filter_complex', [...filters, concat].join(';'), '-map', '[out]'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-r', String(fps)],
      ...['-movflags', '+faststart', output],
    ],
    { maxBuffer: 4 * 1024 * 1024 },
  );
}
