import type { PersonMatch } from '@facekit/core';
import { describe, expect, it } from 'vitest';
import { type Shot, scoreFaceSearch } from './video-scoring.js';

const shots: Shot[] = [
  { identity: 'ann', known: true, startMs: 0, endMs: 2000 },
  { startMs: 2000, endMs: 3000 },
  { identity: 'bob', known: false, startMs: 3000, endMs: 5000 },
  { identity: 'ann', known: true, startMs: 5000, endMs: 6000 },
];

const seen = (index: number, times: number[], match?: string): PersonMatch[] =>
  times.map((t) => ({
    Timestamp: t,
    Person: { Index: index },
    ...(match ? { FaceMatches: [{ Similarity: 99, Face: { ExternalImageId: match } }] } : {}),
  }));

describe('scoreFaceSearch', () => {
  it('finds every appearance of a perfect result', () => {
    const persons = [
      ...seen(0, [0, 500, 1000, 1500], 'ann'),
      ...seen(1, [3000, 3500, 4000, 4500]),
      ...seen(0, [5000, 5500], 'ann'),
    ];
    expect(scoreFaceSearch(shots, persons, 500)).toEqual({
      appearancesFound: 3,
      appearances: 3,
      identitiesFound: 2,
      identities: 2,
      falsePersons: 0,
      persons: 2,
      wrongMatches: 0,
      missed: [],
    });
  });

  it('tells two people of one shot apart by the half of the frame they are in', () => {
    const pair: Shot[] = [
      { identity: 'ann', known: true, side: 'left', startMs: 0, endMs: 1000 },
      { identity: 'bob', known: false, side: 'right', startMs: 0, endMs: 1000 },
    ];
    const at = (index: number, left: number, match?: string): PersonMatch[] =>
      [0, 500].map((t) => ({
        Timestamp: t,
        Person: { Index: index, BoundingBox: { Left: left, Width: 0.1 } },
        ...(match ? { FaceMatches: [{ Similarity: 99, Face: { ExternalImageId: match } }] } : {}),
      }));
    expect(scoreFaceSearch(pair, [...at(0, 0.2, 'ann'), ...at(1, 0.7)], 500)).toMatchObject({
      appearancesFound: 2,
      falsePersons: 0,
    });
  });

  it('counts a late start, a split person and a wrong match', () => {
    const persons = [
      ...seen(0, [1000, 1500], 'ann'), // starts 1000 ms late: missed
      ...seen(1, [3000, 3500, 4000, 4500], 'ann'), // bob matched as ann: wrong
      ...seen(2, [5000, 5500], 'ann'), // ann's second shot under another index: split
    ];
    const score = scoreFaceSearch(shots, persons, 500);
    expect(score).toMatchObject({
      appearancesFound: 0,
      identitiesFound: 0,
      falsePersons: 1,
      persons: 3,
      wrongMatches: 1,
    });
  });
});
