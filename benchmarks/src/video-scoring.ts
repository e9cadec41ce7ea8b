import type { PersonMatch } from '@facekit/core';

/** One shot of a test video: who is on screen (an identity, or nobody) from `startMs` to `endMs`. */
export interface Shot {
  identity?: string;
  /** In a shot of two people side by side: which half of the frame this one is in. */
  side?: 'left' | 'right';
  /** Whether the identity is in the collection (its indexed ExternalImageId is `identity`). */
  known?: boolean;
  startMs: number;
  endMs: number;
}

export interface VideoScore {
  /** Appearances (shots with someone) found: right person, right identity, start and end in time. */
  appearancesFound: number;
  appearances: number;
  /** Identities all of whose appearances were found. */
  identitiesFound: number;
  identities: number;
  /** Reported persons that are not the main person of an identity (splits, spurious faces). */
  falsePersons: number;
  persons: number;
  /** Known identities whose person matched another identity of the collection. */
  wrongMatches: number;
  /** One line per appearance not found, saying what was seen instead. */
  missed: string[];
}

/**
 * Scores GetFaceSearch's persons against the shots. Each reported person is given the identity of
 * most of its sightings; an identity's main person is the one with most sightings of it. An
 * appearance is found when that main person (the same Person.Index across all the identity's
 * shots) is seen in the shot from at most one sampling interval after it starts until at most
 * one interval before it ends, and its best match is the identity (known) or nobody (unknown).
 */
export function scoreFaceSearch(
  shots: readonly Shot[],
  persons: readonly PersonMatch[],
  intervalMs: number,
): VideoScore {
  const shotAt = (t: number, centre: number) =>
    shots.find(
      (s) =>
        t >= s.startMs &&
        t < s.endMs &&
        (s.side === undefined || (s.side === 'left') === centre < 0.5),
    );
  const sightings = new Map<number, { t: number; identity?: string }[]>();
  const bestMatch = new Map<number, string | undefined>();
  for (const p of persons) {
    const index = p.Person?.Index ?? -1;
    const t = p.Timestamp ?? -1;
    const box = p.Person?.BoundingBox;
    const centre = (box?.Left ?? 0) + (box?.Width ?? 0) / 2;
    sightings.set(index, [
      ...(sightings.get(index) ?? []),
      { t, identity: shotAt(t, centre)?.identity },
    ]);
    bestMatch.set(index, p.FaceMatches?.[0]?.Face?.ExternalImageId);
  }
  // Main person of each identity: most sightings of it.
  const main = new Map<string, number>();
  const counts = new Map<string, Map<number, number>>();
  for (const [index, seen] of sightings) {
    for (const s of seen) {
      if (!s.identity) continue;
      const byIndex = counts.get(s.identity) ?? new Map<number, number>();
      byIndex.set(index, (byIndex.get(index) ?? 0) + 1);
      counts.set(s.identity, byIndex);
    }
  }
  for (const [identity, byIndex] of counts) {
    main.set(identity, [...byIndex].sort((a, b) => b[1] - a[1])[0][0]);
  }
  const mainIndexes = new Set(main.values());
  let appearancesFound = 0;
  const missed = new Set<string>();
  const missedLines: string[] = [];
  const identities = new Set<string>();
  let wrongMatches = 0;
  for (const shot of shots) {
    if (!shot.identity) continue;
    identities.add(shot.identity);
    const index = main.get(shot.identity);
    const times = (index === undefined ? [] : (sightings.get(index) ?? []))
      .map((s) => s.t)
      .filter((t) => t >= shot.startMs && t < shot.endMs);
    const identityOk =
      index !== undefined &&
      (shot.known ? bestMatch.get(index) === shot.identity : bestMatch.get(index) === undefined);
    const timeOk =
      times.length > 0 &&
      Math.min(...times) <= shot.startMs + intervalMs &&
      Math.max(...times) >= shot.endMs - intervalMs;
    if (identityOk && timeOk) appearancesFound++;
    else {
      missed.add(shot.identity);
      missedLines.push(
        `${shot.identity}${shot.side ? ` (${shot.side})` : ''} ${shot.startMs}–${shot.endMs} ms: person ${index ?? 'none'}, seen ${times.join(',') || 'never'}, matched ${index === undefined ? '-' : (bestMatch.get(index) ?? 'nobody')}`,
      );
    }
  }
  for (const [identity, index] of main) {
    const match = bestMatch.get(index);
    if (match !== undefined && match !== identity) wrongMatches++;
  }
  return {
    appearancesFound,
    appearances: shots.filter((s) => s.identity).length,
    identitiesFound: identities.size - missed.size,
    identities: identities.size,
    falsePersons: [...sightings.keys()].filter((i) => !mainIndexes.has(i)).length,
    persons: sightings.size,
    wrongMatches,
    missed: missedLines,
  };
}
