import { describe, expect, it } from 'vitest';
import { choosePersonFaces, type FaceLink } from './choose-person-faces.js';
import { findPersonFaces, skipOfChoice, skipOfUnindexed } from './find-person-faces.js';
import { toUserId } from './to-user-id.js';

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

describe('findPersonFaces', () => {
  it('links the faces of the folder that each search finds, once per pair, then chooses', async () => {
    const photos = [
      { path: 'a.jpg', faceIds: ['a1'] },
      { path: 'b.jpg', faceIds: ['b1'] },
      { path: 'group.jpg', faceIds: ['g-bystander', 'g-person'] },
    ];
    // Symmetric matches, plus a face of another folder that must not count.
    const matches: Record<string, [string, number][]> = {
      a1: [
        ['b1', 97],
        ['g-person', 93],
        ['elsewhere', 99],
      ],
      b1: [
        ['a1', 97],
        ['g-person', 91],
      ],
      'g-person': [
        ['a1', 93],
        ['b1', 91],
      ],
      'g-bystander': [['elsewhere', 95]],
    };
    const searched: string[] = [];
    const choices = await findPersonFaces(photos, async (faceId) => {
      searched.push(faceId);
      return (matches[faceId] ?? []).map(([FaceId, Similarity]) => ({
        Similarity,
        Face: { FaceId },
      }));
    });
    expect(searched.sort()).toEqual(['a1', 'b1', 'g-bystander', 'g-person']);
    expect(choices).toEqual([
      { path: 'a.jpg', kind: 'chosen', faceId: 'a1', supportingPhotos: 2 },
      { path: 'b.jpg', kind: 'chosen', faceId: 'b1', supportingPhotos: 2 },
      { path: 'group.jpg', kind: 'chosen', faceId: 'g-person', supportingPhotos: 2 },
    ]);
  });
});

describe('skip reasons', () => {
  it('says why IndexFaces left a photo without a face', () => {
    expect(skipOfUnindexed([])).toEqual({ reason: 'no face' });
    expect(skipOfUnindexed([{ Reasons: ['SMALL_BOUNDING_BOX'] }])).toEqual({
      reason: 'too small',
      detail: 'SMALL_BOUNDING_BOX',
    });
    expect(skipOfUnindexed([{ Reasons: ['LOW_SHARPNESS', 'EXTREME_POSE'] }])).toEqual({
      reason: 'low quality',
      detail: 'LOW_SHARPNESS EXTREME_POSE',
    });
  });

  it('says why a photo had no face of the person', () => {
    expect(skipOfChoice({ path: 'a', kind: 'no-match' })?.reason).toBe(
      'no face matching the others',
    );
    expect(skipOfChoice({ path: 'a', kind: 'ambiguous' })?.reason).toBe(
      'several people equally often',
    );
    expect(skipOfChoice({ path: 'a', kind: 'chosen', faceId: 'x', supportingPhotos: 1 })).toBe(
      undefined,
    );
  });
});
