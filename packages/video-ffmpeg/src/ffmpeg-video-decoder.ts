import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type OpenedVideo,
  VideoDecodeError,
  type VideoDecoder,
  type VideoFrame,
  type VideoInfo,
} from '@facekit/core';

const run = promisify(execFile);

export interface FfmpegVideoDecoderOptions {
  /** Default `ffmpeg` (on the PATH). */
  ffmpegPath?: string;
  /** Default `ffprobe`. */
  ffprobePath?: string;
  /** Where videos are copied while they are analysed. Default: the system's temporary folder. */
  tempDir?: string;
}

/**
 * A {@link VideoDecoder} over the system's `ffprobe` and `ffmpeg` (Debian: `apt-get install
 * ffmpeg`): the video is copied to a temporary file as it arrives, `ffprobe` reads its metadata,
 * and `ffmpeg` samples it with its `fps` filter and pipes the frames as raw RGB (`rgb24`).
 * @throws {VideoDecodeError} (`decoder-missing`) when ffmpeg or ffprobe cannot be run.
 */
export async function createFfmpegVideoDecoder(
  options: FfmpegVideoDecoderOptions = {},
): Promise<VideoDecoder> {
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  const ffprobe = options.ffprobePath ?? 'ffprobe';
  const version = await toolVersion(ffmpeg);
  await toolVersion(ffprobe);
  return {
    specificationVersion: 'v1',
    name: `ffmpeg ${version}`,
    async open(bytes, { maxBytes }) {
      const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'facekit-video-'));
      const path = join(dir, 'video');
      try {
        const byteLength = await copyTo(bytes, path, maxBytes);
        return openedVideo({ ffmpeg, ffprobe, dir, path, byteLength });
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

async function toolVersion(tool: string): Promise<string> {
  try {
    const { stdout } = await run(tool, ['-version']);
    return /version (\S+)/.exec(stdout)?.[1] ?? 'unknown';
  } catch (error) {
    throw new VideoDecodeError(
      'decoder-missing',
      `${tool} cannot be run (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); install ffmpeg (Debian: apt-get install ffmpeg) to analyse video.`,
      { cause: error },
    );
  }
}

/** Writes the chunks to `path`, refusing more than `maxBytes`. */
async function copyTo(
  bytes: AsyncIterable<Uint8Array>,
  path: string,
  maxBytes: number,
): Promise<number> {
  const out = createWriteStream(path);
  let total = 0;
  try {
    for await (const chunk of bytes) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        throw new VideoDecodeError(
          'too-large',
          `The video is larger than ${maxBytes} bytes, the largest this server accepts.`,
        );
      }
      if (!out.write(chunk))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  return total;
}

interface Copy {
  ffmpeg: string;
  ffprobe: string;
  dir: string;
  path: string;
  byteLength: number;
}

function openedVideo(copy: Copy): OpenedVideo {
  const children = new Set<ChildProcess>();
  let info: Promise<VideoInfo> | undefined;
  let closed = false;
  const getInfo = () => {
    info ??= probe(copy);
    return info;
  };
  return {
    byteLength: copy.byteLength,
    probe: getInfo,
    async *frames({ intervalMs, maxSide }) {
      const { frameWidth, frameHeight } = await getInfo();
      const [width, height] = outputSize(frameWidth, frameHeight, maxSide);
      // round=up: the sample at t is the last frame shown at or before t (the default, near,
      // takes frames up to half an interval later, so a face seemed to stay after a cut).
      const child = spawn(
        copy.ffmpeg,
        [
          ...['-nostdin', '-v', 'error', '-i', copy.path, '-an', '-sn', '-dn'],
          ...['-vf', `fps=fps=${1000 / intervalMs}:start_time=0:round=up,scale=${width}:${height}`],
          ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.add(child);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        if (stderr.length < 4000) stderr += text;
      });
      const exited = new Promise<number | null>((resolve) => {
        child.on('close', (code) => resolve(code));
        child.on('error', () => resolve(-1));
      });
      const frameBytes = width * height * 3;
      let buffer: Buffer = Buffer.alloc(0);
      let index = 0;
      try {
        for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
          buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
          while (buffer.length >= frameBytes) {
            const data = new Uint8Array(buffer.subarray(0, frameBytes));
            buffer = buffer.subarray(frameBytes);
            const frame: VideoFrame = {
              width,
              height,
              data,
              timestampMs: Math.round(index * intervalMs),
            };
            index++;
            yield frame;
          }
        }
        const code = await exited;
        if (code !== 0 && !closed) {
          throw new VideoDecodeError(
            'invalid-video',
            `The video could not be decoded (ffmpeg exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
          );
        }
      } finally {
        child.kill('SIGKILL');
        children.delete(child);
      }
    },
    async close() {
      closed = true;
      for (const child of children) child.kill('SIGKILL');
      await rm(copy.dir, { recursive: true, force: true });
    },
  };
}

/** The frame size to decode to: the displayed size, scaled to fit `maxSide`, even numbers. */
export function outputSize(width: number, height: number, maxSide?: number): [number, number] {
  const scale =
    maxSide && Math.max(width, height) > maxSide ? maxSide / Math.max(width, height) : 1;
  const even = (n: number) => Math.max(2, 2 * Math.round((n * scale) / 2));
  return [even(width), even(height)];
}

interface ProbeOutput {
  streams?: {
    codec_name?: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    r_frame_rate?: string;
    duration?: string;
    color_range?: string;
    tags?: { rotate?: string };
    side_data_list?: { rotation?: number }[];
  }[];
  format?: { format_long_name?: string; format_name?: string; duration?: string };
}

async function probe(copy: Copy): Promise<VideoInfo> {
  let output: ProbeOutput;
  try {
    const { stdout } = await run(
      copy.ffprobe,
      [
        ...['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'],
        ...['-select_streams', 'v:0', copy.path],
      ],
      { maxBuffer: 4 * 1024 * 1024 },
    );
    output = JSON.parse(stdout) as ProbeOutput;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new VideoDecodeError(
      'invalid-video',
      `Unsupported codec/format: the file is not a video ffprobe can read${stderr ? ` (${stderr.split('\n')[0]})` : ''}.`,
      { cause: error },
    );
  }
  const stream = output.streams?.[0];
  if (!stream?.width || !stream.height) {
    throw new VideoDecodeError(
      'invalid-video',
      'Unsupported codec/format: the file has no video stream.',
    );
  }
  const rotation = Number(
    stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ??
      stream.tags?.rotate ??
      0,
  );
  const sideways = Math.abs(rotation) % 180 === 90;
  const duration = Number(output.format?.duration ?? stream.duration);
  return {
    codec: stream.codec_name ?? 'unknown',
    format: output.format?.format_long_name ?? output.format?.format_name ?? 'unknown',
    durationMillis: Number.isFinite(duration) ? duration * 1000 : 0,
    frameRate: frameRate(stream.avg_frame_rate) || frameRate(stream.r_frame_rate),
    frameWidth: sideways ? stream.height : stream.width,
    frameHeight: sideways ? stream.width : stream.height,
    ...(stream.color_range === 'pc'
      ? { colorRange: 'FULL' as const }
      : stream.color_range === 'tv'
        ? { colorRange: 'LIMITED' as const }
        : {}),
  };
}

/** `30000/1001` → 29.97; 0 for `0/0` or nothing. */
function frameRate(text: string | undefined): number {
  const [num, den] = (text ?? '').split('/').map(Number);
  const rate = den ? num / den : num;
  return Number.isFinite(rate) ? Math.round(rate * 1000) / 1000 : 0;
}
