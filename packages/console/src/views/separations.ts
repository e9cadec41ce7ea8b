import type { Face } from '@aws-sdk/client-rekognition';
import { h } from '../dom.js';
import { callExtension, type FaceSeparationDecision } from '../extensions.js';
import { shortId } from '../face-row.js';
import { call } from '../session.js';

/**
 * The collection's "not this person" decisions (ListFaceSeparations), each with an Undo button
 * (DeleteFaceSeparations): a face refused by mistake can join its person again.
 */
export async function separationsList(
  collection: string,
  faces: ReadonlyMap<string, Face>,
  again: () => Promise<void>,
): Promise<HTMLElement | undefined> {
  const output = await call(() =>
    callExtension<{ Separations: FaceSeparationDecision[] }>('ListFaceSeparations', {
      CollectionId: collection,
    }),
  );
  const separations = output?.Separations ?? [];
  if (separations.length === 0) return undefined;
  const nameOf = (faceId: string) => faces.get(faceId)?.ExternalImageId ?? shortId(faceId);
  return h(
    'section',
    { class: 'separations', 'data-testid': 'separations' },
    h('h3', null, '“Not this person” decisions'),
    h(
      'ul',
      null,
      separations.map((s) => {
        const undo = h(
          'button',
          { type: 'button', class: 'small', 'aria-label': `undo: ${s.FaceId}` },
          'Undo',
        );
        undo.addEventListener('click', async () => {
          const done = await call(
            () =>
              callExtension('DeleteFaceSeparations', {
                CollectionId: collection,
                FaceIds: [s.FaceId],
                ...(s.UserId !== undefined
                  ? { UserId: s.UserId }
                  : { OtherFaceIds: [s.OtherFaceId] }),
              }),
            undo,
          );
          if (done !== undefined) await again();
        });
        return h(
          'li',
          { 'data-testid': 'separation', title: s.FaceId },
          `${nameOf(s.FaceId)} is not `,
          s.UserId !== undefined ? `user ${s.UserId}` : nameOf(s.OtherFaceId ?? ''),
          ' ',
          undo,
        );
      }),
    ),
  );
}
