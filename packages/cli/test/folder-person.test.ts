import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePersonFaces, type FaceLink, toUserId } from '../src/folder-person.js';
import { runCli } from '../src/index.js';
import { fakeIo } from './io.js';

const link = (a: string, b: string, similarity = 95): FaceLink => ({ a, b, similarity });

describe('choosePersonFaces', () => {
  it('takes the face that matches the other photos, never the bystander beside it', () => {
    const photos = [
      { path: 'a.jpg', faceIds: ['a1'] },
      { path: 'b.jpg', faceIds: ['b1'] },
      { path: 'group.jpg', faceIds: ['g-bystander', 'g-person', 'g-child'] },
    ];
    const choices = choosePersonFaces(photos, [
      link('a1', 'b1'),
      link('a1', 'g-person'),
      link('b1', 'g-person', 90),
    ]);
    expect(choices).toEqual([
      { path: 'a.jpg', kind: 'chosen', faceId: 'a1', supportingPhotos: 2 },
      { path: 'b.jpg', kind: 'chosen', faceId: 'b1', supportingPhotos: 2 },
      { path: 'group.jpg', kind: 'chosen', faceId: 'g-person', supportingPhotos: 2 },
    ]);
  });

  it('skips a photo whose faces match none of the others', () => {
    const choices = choosePersonFaces(
      [
        { path: 'a.jpg', faceIds: ['a1'] },
        { path: 'b.jpg', faceIds: ['b1'] },
        { path: 'someone-else.jpg', faceIds: ['x1'] },
      ],
      [link('a1', 'b1')],
    );
    expect(choices.map((c) => c.kind)).toEqual(['chosen', 'chosen', 'no-match']);
  });

  it('in a photo with two faces of the person (a mirror), keeps the better supported one', () => {
    const choices = choosePersonFaces(
      [
        { path: 'a.jpg', faceIds: ['a1'] },
        { path: 'b.jpg', faceIds: ['b1'] },
        { path: 'mirror.jpg', faceIds: ['m1', 'm2'] },
      ],
      [link('a1', 'b1'), link('a1', 'm1', 85), link('b1', 'm1', 85), link('a1', 'm2', 97)],
    );
    expect(choices[2]).toEqual({
      path: 'mirror.jpg',
      kind: 'chosen',
      faceId: 'm1',
      supportingPhotos: 2,
    });
  });

  it('a bystander who links two groups is not the person (chosen faces must match directly)', () => {
    // p1, p2 are the person; c is a photo of only the bystander, who is also in p2 and who
    // matches... nothing of the person: c's face joins the group only through p2's bystander.
    const choices = choosePersonFaces(
      [
        { path: 'p1.jpg', faceIds: ['p1'] },
        { path: 'p2.jpg', faceIds: ['p2', 'p2-bystander'] },
        { path: 'p3.jpg', faceIds: ['p3'] },
        { path: 'c.jpg', faceIds: ['c'] },
      ],
      [
        link('p1', 'p2'),
        link('p2', 'p3'),
        link('p2-bystander', 'c'),
        link('p2-bystander', 'p1', 81),
      ],
    );
    expect(choices.map((c) => (c.kind === 'chosen' ? c.faceId : c.kind))).toEqual([
      'p1',
      'p2',
      'p3',
      'no-match',
    ]);
  });

  it('two people equally often: ambiguous, nothing chosen', () => {
    const choices = choosePersonFaces(
      [
        { path: 'a.jpg', faceIds: ['a-x', 'a-y'] },
        { path: 'b.jpg', faceIds: ['b-x', 'b-y'] },
      ],
      [link('a-x', 'b-x'), link('a-y', 'b-y')],
    );
    expect(choices.map((c) => c.kind)).toEqual(['ambiguous', 'ambiguous']);
  });

  it('one photo: its only face is taken; with several faces it is ambiguous', () => {
    expect(choosePersonFaces([{ path: 'a.jpg', faceIds: ['a1'] }], [])[0].kind).toBe('chosen');
    expect(choosePersonFaces([{ path: 'a.jpg', faceIds: ['a1', 'a2'] }], [])[0].kind).toBe(
      'ambiguous',
    );
  });

  it('two photos that do not match: neither is taken', () => {
    const choices = choosePersonFaces(
      [
        { path: 'a.jpg', faceIds: ['a1'] },
        { path: 'b.jpg', faceIds: ['b1'] },
      ],
      [],
    );
    expect(choices.map((c) => c.kind)).toEqual(['no-match', 'no-match']);
  });

  it('links between faces of one photo count for nothing', () => {
    const choices = choosePersonFaces(
      [
        { path: 'twins.jpg', faceIds: ['t1', 't2'] },
        { path: 'b.jpg', faceIds: ['b1'] },
      ],
      [link('t1', 't2', 99)],
    );
    expect(choices.map((c) => c.kind)).toEqual(['no-match', 'no-match']);
  });
});

describe('toUserId', () => {
  it('makes folder names valid UserIds', () => {
    expect(toUserId('José María')).toBe('Jose_Maria');
    expect(toUserId('ana')).toBe('ana');
    expect(toUserId('李')).toBe('_');
    expect(toUserId('x'.repeat(200))).toHaveLength(128);
    expect(toUserId('a/b:c')).toBe('a_b:c');
  });
});

describe('facekit index --users-from-folders: command-line mistakes', () => {
  const run = async (argv: string[]) => {
    const dir = await mkdtemp(join(tmpdir(), 'facekit-folders-'));
    const t = fakeIo({ FACEKIT_STORE: 'memory', FACEKIT_FACE_MODEL: 'none' }, dir);
    try {
      const result = await runCli(argv, t.io);
      return { code: result.kind === 'exit' ? result.exitCode : -1, stderr: t.stderr() };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('refuses a folder that cannot be read, and a threshold given with a rate', async () => {
    const missing = await run(['index', 'family', '--users-from-folders', 'no-such-folder']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      '--users-from-folders needs folders: cannot read no-such-folder',
    );
    const both = await run([
      'index',
      'family',
      '--users-from-folders',
      '.',
      '--threshold',
      '90',
      '--max-false-accept-rate',
      '0.001',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });
});
