/**
 * Which face of each photo in a person's folder is that person: the pure decision behind folders
 * of people (`facekit index --users-from-folders`, the console's Index tab), over faces already
 * indexed and the matches between them.
 */

/** One photo of a person's folder and the faces indexed from it. */
export interface FolderPhoto {
  path: string;
  faceIds: readonly string[];
}

/** Two faces of different photos that match at or above the threshold (`Similarity`, percent). */
export interface FaceLink {
  a: string;
  b: string;
  similarity: number;
}

export type PhotoChoice =
  /** `faceId` is the folder's person; `supportingPhotos` other photos show a matching face. */
  | { path: string; kind: 'chosen'; faceId: string; supportingPhotos: number }
  /** No face of this photo matches the person the other photos show. */
  | { path: string; kind: 'no-match' }
  /** Two or more people appear equally often, so the folder does not say who it is. */
  | { path: string; kind: 'ambiguous' };

/**
 * The person of a folder is the group of matching faces (connected through links between photos)
 * that appears in the most photos; in each photo, the face of that group with the most other
 * photos agreeing is chosen, so a bystander or a second face is never taken for the person.
 * Photos without a face of the group are `no-match`; when two groups tie, every photo with a
 * face is `ambiguous`. A folder of one photo with one face takes that face (nothing contradicts
 * it); with several faces it is `ambiguous`. Photos without faces are left out (the caller knows
 * why: no face, too small).
 */
export function choosePersonFaces(
  photos: readonly FolderPhoto[],
  links: readonly FaceLink[],
): PhotoChoice[] {
  const withFaces = photos.filter((p) => p.faceIds.length > 0);
  const photoOf = new Map<string, string>();
  for (const photo of withFaces) for (const id of photo.faceIds) photoOf.set(id, photo.path);
  const crossPhoto = links.filter(
    (l) => photoOf.has(l.a) && photoOf.has(l.b) && photoOf.get(l.a) !== photoOf.get(l.b),
  );

  if (withFaces.length === 1) {
    const [photo] = withFaces;
    return [
      photo.faceIds.length === 1
        ? { path: photo.path, kind: 'chosen', faceId: photo.faceIds[0], supportingPhotos: 0 }
        : { path: photo.path, kind: 'ambiguous' },
    ];
  }

  // Connected groups of matching faces, and the photos each group appears in.
  const parent = new Map<string, string>([...photoOf.keys()].map((id) => [id, id]));
  const root = (id: string): string => {
    let r = id;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(id, r);
    return r;
  };
  for (const { a, b } of crossPhoto) parent.set(root(a), root(b));
  const photosOfGroup = new Map<string, Set<string>>();
  for (const [id, path] of photoOf) {
    const group = root(id);
    if (!photosOfGroup.has(group)) photosOfGroup.set(group, new Set());
    photosOfGroup.get(group)?.add(path);
  }
  const ranked = [...photosOfGroup].sort((x, y) => y[1].size - x[1].size);
  const [best, second] = ranked;
  if (!best || best[1].size < 2) return withFaces.map((p) => ({ path: p.path, kind: 'no-match' }));
  if (second && second[1].size === best[1].size) {
    return withFaces.map((p) => ({ path: p.path, kind: 'ambiguous' }));
  }
  const person = best[0];

  // Per face of the group: the other photos it matches directly, and how well.
  const support = new Map<string, { photos: Set<string>; total: number }>();
  const note = (from: string, to: string, similarity: number) => {
    const entry = support.get(from) ?? { photos: new Set<string>(), total: 0 };
    entry.photos.add(photoOf.get(to) as string);
    entry.total += similarity;
    support.set(from, entry);
  };
  for (const { a, b, similarity } of crossPhoto) {
    if (root(a) !== person) continue;
    note(a, b, similarity);
    note(b, a, similarity);
  }
  const pick = (photo: FolderPhoto) => {
    let chosen: string | undefined;
    for (const id of photo.faceIds) {
      if (root(id) !== person) continue;
      const s = support.get(id);
      const c = chosen === undefined ? undefined : support.get(chosen);
      if (
        !c ||
        (s &&
          (s.photos.size > c.photos.size || (s.photos.size === c.photos.size && s.total > c.total)))
      ) {
        chosen = id;
      }
    }
    return chosen;
  };
  const chosen = new Map<string, string>();
  for (const photo of withFaces) {
    const id = pick(photo);
    if (id !== undefined) chosen.set(photo.path, id);
  }
  // A chosen face must match another photo's chosen face directly, not only through a bystander
  // who happened to link the group together.
  const chosenIds = new Set(chosen.values());
  const confirmed = new Set<string>();
  for (const { a, b } of crossPhoto) {
    if (chosenIds.has(a) && chosenIds.has(b)) {
      confirmed.add(a);
      confirmed.add(b);
    }
  }
  return withFaces.map((photo): PhotoChoice => {
    const id = chosen.get(photo.path);
    if (id === undefined || !confirmed.has(id)) return { path: photo.path, kind: 'no-match' };
    return {
      path: photo.path,
      kind: 'chosen',
      faceId: id,
      supportingPhotos: support.get(id)?.photos.size ?? 0,
    };
  });
}
