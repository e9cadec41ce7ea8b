import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CliResult, runCli } from '@facekit/cli';
import { Transformer } from '@napi-rs/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './sample-photos.js';

/**
 * "Folders of people", "who is in this photo" and "explain a match" through the `facekit` command
 * line, in-process and against `facekit serve` (`--endpoint`), on labelled photos of
 * ../shared/datasets: face_recognition's people (a folder each, as its examples have them) with
 * bystanders, a photo of someone else and a photo without a face mixed in.
 */

const datasetsDir = process.env.FACEKIT_DATASETS ?? resolve(repoRoot, '../shared/datasets');
const knn = join(datasetsDir, 'face_recognition/examples/knn_examples');
const modelsBuilt = existsSync(
  join(repoRoot, 'models/dist/faceplugin-embed-mobilefacenet512.onnx'),
);
const unavailable = !existsSync(knn)
  ? `../shared/datasets not found (set FACEKIT_DATASETS); looked in ${datasetsDir}`
  : !modelsBuilt
    ? 'models not built; run pnpm build'
    : undefined;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where a face's box centre is, in ratios of the image. */
const centre = (b: { Left: number; Top: number; Width: number; Height: number }) => ({
  x: b.Left + b.Width / 2,
  y: b.Top + b.Height / 2,
});

const modes = [
  { name: 'in-process', endpoint: false },
  { name: '--endpoint (facekit serve)', endpoint: true },
] as const;

describe.skipIf(unavailable !== undefined)(
  `people features on real photos${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    describe.each(modes)('$name', ({ endpoint }) => {
      let dir: string;
      let server: CliResult | undefined;
      let env: Record<string, string>;

      const facekit = async (argv: string[]): Promise<Run> => {
        const out: string[] = [];
        const err: string[] = [];
        const result = await runCli(argv, {
          stdout: { write: (text: string) => out.push(text) },
          stderr: { write: (text: string) => err.push(text) },
          env,
          cwd: dir,
        });
        if (result.kind !== 'exit') throw new Error('a command kept running');
        return { code: result.exitCode, stdout: out.join(''), stderr: err.join('') };
      };
      const json = async (argv: string[]) => {
        const run = await facekit([...argv, '--output', 'json']);
        if (run.code !== 0) throw new Error(`facekit ${argv.join(' ')}: ${run.stderr}`);
        return JSON.parse(run.stdout);
      };

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), 'facekit-people-'));
        const people = join(dir, 'people');
        for (const person of ['obama', 'biden', 'kit_harington', 'rose_leslie']) {
          await mkdir(join(people, person), { recursive: true });
          await copyFile(
            join(knn, 'train', person, firstPhoto[person][0]),
            join(people, person, 'a.jpg'),
          );
          await copyFile(
            join(knn, 'train', person, firstPhoto[person][1]),
            join(people, person, 'b.jpg'),
          );
        }
        // Bystanders: Obama with Biden and two more people; Rose Leslie with Kit Harington.
        await copyFile(join(knn, 'test/obama_and_biden.jpg'), join(people, 'obama/with biden.jpg'));
        await copyFile(
          join(knn, 'test/kit_with_rose.jpg'),
          join(people, 'rose_leslie/with kit.jpg'),
        );
        // Someone else in Obama's folder, a photo without a face and one whose face is too small.
        await copyFile(
          join(datasetsDir, 'face_recognition/tests/test_images/biden.jpg'),
          join(people, 'obama/not him.jpg'),
        );
        await copyFile(
          join(datasetsDir, 'misc/debian-skimage/coffee.png'),
          join(people, 'biden/coffee.png'),
        );
        await smallOnCanvas(join(knn, 'train/biden/biden.jpg'), 60, join(people, 'biden/tiny.jpg'));
        await mkdir(join(people, 'José María'));
        await copyFile(
          join(datasetsDir, 'misc/debian-opencv-doc/messi5.jpg'),
          join(people, 'José María/1.jpg'),
        );

        env = { FACEKIT_DATA_DIR: join(dir, 'data'), FACEKIT_KEEP_SOURCE_IMAGES: 'true' };
        if (endpoint) {
          const terminal = { write: () => {} };
          server = await runCli(['serve', '--port', '0', '--log-level', 'silent'], {
            stdout: terminal,
            stderr: terminal,
            env,
            cwd: dir,
          });
          if (server.kind !== 'serving') throw new Error('facekit serve did not start');
          env = { FACEKIT_ENDPOINT: server.url };
        }
        expect((await facekit(['collections', 'create', 'family'])).code).toBe(0);
      }, 60_000);

      afterAll(async () => {
        if (server?.kind === 'serving') await server.close();
        await rm(dir, { recursive: true, force: true });
      });

      it('index --users-from-folders: a user per folder, never a bystander, skipped photos say why', async () => {
        const summary = await json(['index', 'family', '--users-from-folders', 'people']);
        const user = (id: string) => summary.Users.find((u: { UserId: string }) => u.UserId === id);
        expect(summary.Users.map((u: { UserId: string }) => u.UserId).sort()).toEqual([
          'Jose_Maria',
          'biden',
          'kit_harington',
          'obama',
          'rose_leslie',
        ]);
        const paths = (list: { Path: string }[]) => list.map((a) => a.Path.split('/').pop()).sort();
        expect(paths(user('obama').Associated)).toEqual(['a.jpg', 'b.jpg', 'with biden.jpg']);
        expect(user('obama').Skipped).toEqual([
          { Path: 'people/obama/not him.jpg', Reason: 'no face matching the others' },
        ]);
        expect(paths(user('rose_leslie').Associated)).toEqual(['a.jpg', 'b.jpg', 'with kit.jpg']);
        const bidenSkips = Object.fromEntries(
          user('biden').Skipped.map((s: { Path: string; Reason: string }) => [s.Path, s.Reason]),
        );
        expect(bidenSkips).toEqual({
          'people/biden/coffee.png': 'no face',
          'people/biden/tiny.jpg': 'too small',
        });
        // The face associated from each group photo is the folder's person: Obama stands right of
        // Biden, Rose Leslie left of Kit Harington.
        const faces = (await json(['faces', 'list', 'family'])).Faces as {
          FaceId: string;
          UserId?: string;
          ExternalImageId: string;
          BoundingBox: { Left: number; Top: number; Width: number; Height: number };
        }[];
        const associated = (image: string) =>
          faces.filter((f) => f.ExternalImageId === image && f.UserId !== undefined);
        const [obama] = associated('obama:with_biden.jpg');
        expect(associated('obama:with_biden.jpg')).toHaveLength(1);
        expect(obama.UserId).toBe('obama');
        expect(centre(obama.BoundingBox).x).toBeGreaterThan(0.5);
        expect(
          faces.filter((f) => f.ExternalImageId === 'obama:with_biden.jpg').length,
        ).toBeGreaterThan(1);
        const [rose] = associated('rose_leslie:with_kit.jpg');
        expect(associated('rose_leslie:with_kit.jpg')).toHaveLength(1);
        expect(centre(rose.BoundingBox).x).toBeLessThan(0.5);
        // Nobody's face from "not him.jpg" (Biden) went to Obama.
        expect(associated('obama:not_him.jpg')).toEqual([]);
      }, 120_000);

      it('index --users-from-folders again resumes: nothing indexed twice, all already associated', async () => {
        const before = (await json(['faces', 'list', 'family'])).Faces.length;
        const summary = await json(['index', 'family', '--users-from-folders', 'people']);
        const after = (await json(['faces', 'list', 'family'])).Faces.length;
        expect(after).toBe(before);
        for (const user of summary.Users) {
          for (const a of user.Associated) expect(a.AlreadyAssociated).toBe(true);
        }
      }, 120_000);

      it('who: names both people of a photo no folder holds, and says unknown for others', async () => {
        const two = await json([
          'who',
          'family',
          join(datasetsDir, 'face_recognition/examples/two_people.jpg'),
        ]);
        const byX = [...two.Faces].sort(
          (a, b) => centre(a.FaceDetail.BoundingBox).x - centre(b.FaceDetail.BoundingBox).x,
        );
        expect(byX.map((f: { UserId?: string }) => f.UserId)).toEqual(['obama', 'biden']);
        for (const face of byX) {
          expect(face.Identity).toBe('USER');
          expect(face.Similarity).toBeGreaterThanOrEqual(80);
          expect(face.FalseAcceptRate).toEqual({ Rate: 0.001, Bound: 'AT_MOST' });
        }
        // Angelina Jolie and Brad Pitt are nobody's folder: unknown, with their closest people.
        const couple = await json([
          'who',
          'family',
          join(datasetsDir, 'deepface/tests/unit/dataset/couple.jpg'),
          '--draw',
          'couple-named.jpg',
        ]);
        expect(couple.Faces).toHaveLength(2);
        for (const face of couple.Faces) {
          expect(face.Identity).toBe('UNKNOWN');
          expect(face.Candidates.length).toBeGreaterThan(0);
          expect(face.Candidates[0].Similarity).toBeLessThan(80);
        }
        const drawn = await new Transformer(
          await readFile(join(dir, 'couple-named.jpg')),
        ).metadata();
        expect(drawn.width).toBe(2280);
      }, 120_000);

      it('who <folder>: every photo of it, one summary each, named copies, a failed file listed', async () => {
        const photos = join(dir, 'who-photos');
        await mkdir(join(photos, 'more'), { recursive: true });
        await copyFile(
          join(datasetsDir, 'face_recognition/examples/two_people.jpg'),
          join(photos, 'two people.jpg'),
        );
        await copyFile(
          join(datasetsDir, 'deepface/tests/unit/dataset/couple.jpg'),
          join(photos, 'more/couple.jpg'),
        );
        await copyFile(
          join(datasetsDir, 'misc/debian-skimage/coffee.png'),
          join(photos, 'coffee.png'),
        );
        await writeFile(join(photos, 'broken.jpg'), 'not a JPEG');
        const run = await facekit([
          'who',
          'family',
          'who-photos',
          '--draw',
          'who-named',
          '--output',
          'json',
        ]);
        // The broken file fails alone: listed with its error, exit code 1, the others answered.
        expect(run.code).toBe(1);
        type Answer = {
          Path: string;
          Error?: string;
          Faces?: { UserId?: string; Identity: string }[];
        };
        const { Images } = JSON.parse(run.stdout) as { Images: Answer[] };
        const byName: Record<string, Answer> = Object.fromEntries(
          Images.map((i) => [i.Path.split('/').pop(), i]),
        );
        expect(Object.keys(byName).sort()).toEqual([
          'broken.jpg',
          'coffee.png',
          'couple.jpg',
          'two people.jpg',
        ]);
        expect(byName['broken.jpg'].Error).toMatch(/^InvalidImageFormatException: /);
        expect(byName['coffee.png'].Faces).toEqual([]);
        expect(byName['couple.jpg'].Faces?.map((f) => f.Identity)).toEqual(['UNKNOWN', 'UNKNOWN']);
        expect(byName['two people.jpg'].Faces?.map((f) => f.UserId).sort()).toEqual([
          'biden',
          'obama',
        ]);
        // A named copy per answered photo, under the same relative path.
        const drawn = await new Transformer(
          await readFile(join(dir, 'who-named/more/couple.jpg')),
        ).metadata();
        expect(drawn.width).toBe(2280);
        expect(existsSync(join(dir, 'who-named/two people.jpg'))).toBe(true);

        // The table: one line per photo.
        const table = await facekit(['who', 'family', 'who-photos', '--output', 'table']);
        const lines = table.stdout.trimEnd().split('\n');
        expect(lines[0]).toMatch(/^Image\s+Faces\s+Who$/);
        expect(lines.find((l) => l.includes('couple.jpg'))).toMatch(/\s2\s+unknown, unknown$/);
        expect(lines.find((l) => l.includes('two people.jpg'))).toMatch(
          /\s2\s+(obama|biden) \d+\.\d%, (obama|biden) \d+\.\d%$/,
        );
        expect(lines.find((l) => l.includes('coffee.png'))).toMatch(/\s0\s+no face$/);
        expect(lines.find((l) => l.includes('broken.jpg'))).toMatch(
          /failed: InvalidImageFormatException/,
        );
      }, 120_000);

      it('explain: Similarity, false accept rate, both faces measured, margin to the next person', async () => {
        const faces = (await json(['faces', 'list', 'family'])).Faces as {
          FaceId: string;
          UserId?: string;
          ExternalImageId: string;
        }[];
        const obama = faces.find((f) => f.ExternalImageId === 'obama:a.jpg') as {
          FaceId: string;
        };
        const biden = faces.find((f) => f.ExternalImageId === 'biden:a.jpg') as {
          FaceId: string;
        };
        const same = await json(['explain', 'family', obama.FaceId, join(knn, 'test/obama1.jpg')]);
        expect(same.Matched).toBe(true);
        expect(same.FalseAcceptRate.Bound).toBe('AT_MOST');
        // The stored face is measured on its kept source image.
        expect(same.Faces[0].MeasuredFrom).toBe('SOURCE_IMAGE');
        expect(same.Faces[0].HeightPixels).toBeGreaterThan(50);
        expect(same.Faces[1].MeasuredFrom).toBe('TARGET_IMAGE');
        expect(same.NextBest.UserId).not.toBe('obama');
        expect(same.Margin).toBeGreaterThan(20);

        const different = await json(['explain', 'family', obama.FaceId, biden.FaceId]);
        expect(different.Matched).toBe(false);
        expect(different.Similarity).toBeLessThan(60);
        expect(different.FalseAcceptRate.Rate).toBeGreaterThan(0.01);
        // Biden's best person is Biden, far above Obama: a negative margin.
        expect(different.Margin).toBeLessThan(0);
        expect(different.Faces[1].MeasuredFrom).toBe('SOURCE_IMAGE');

        // The tiny copy of a face is what weakens a match.
        await shrink(join(knn, 'test/obama1.jpg'), 260, join(dir, 'small.jpg'));
        const small = await json(['explain', 'family', obama.FaceId, 'small.jpg']);
        expect(small.WeakerFace).toBe('TARGET');
        expect(small.Faces[1].Issues[0]).toBe('SMALL');
      }, 120_000);
    });
  },
);

/** A JPEG copy of `from`, `width` pixels wide. */
async function shrink(from: string, width: number, to: string) {
  await writeFile(to, await new Transformer(await readFile(from)).resize(width).jpeg(90));
}

/**
 * `from` shrunk to `width` pixels on a 240×240 grey canvas: a face about 25 px tall, which the
 * detector finds and IndexFaces' AUTO filter (32 px) refuses as too small.
 */
async function smallOnCanvas(from: string, width: number, to: string) {
  const small = await new Transformer(await readFile(from)).resize(width).png();
  const { width: w, height: h } = await new Transformer(small).metadata();
  const pixels = await new Transformer(small).rawPixels();
  const channels = pixels.length / (w * h);
  const side = 240;
  const canvas = new Uint8Array(side * side * 4).fill(128);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = (y * w + x) * channels;
      const to = ((y + 20) * side + x + 20) * 4;
      canvas.set(pixels.subarray(from, from + 3), to);
    }
  }
  await writeFile(to, await Transformer.fromRgbaPixels(canvas, side, side).jpeg(90));
}

/** Two photos of each person from face_recognition's knn example folders. */
const firstPhoto: Record<string, [string, string]> = {
  obama: ['obama.jpg', 'obama2.jpg'],
  biden: ['biden.jpg', 'biden2.jpg'],
  kit_harington: ['john1.jpeg', 'john2.jpeg'],
  rose_leslie: ['img1.jpg', 'img2.jpg'],
};
