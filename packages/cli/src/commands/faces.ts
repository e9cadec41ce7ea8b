import { type Command, defined, listFlag, numberFlag, stringFlag } from '../command.js';
import { emit, percent, renderTable } from '../output.js';
import { pageOptions } from './collections.js';
import { listPages } from './paginate.js';

export const faceCommands: Command[] = [
  {
    path: ['faces', 'list'],
    summary: 'list the faces of a collection (ListFaces)',
    args: '<collection-id>',
    positionals: { min: 1, max: 1 },
    options: {
      'user-id': { type: 'string', value: '<id>', description: "only this user's faces" },
      'face-id': { type: 'string', multiple: true, value: '<id>', description: 'only these faces' },
      ...pageOptions,
    },
    examples: [
      'facekit faces list family',
      'facekit faces list family --user-id ana --output json',
    ],
    async run({ io, output, positionals, values, client }) {
      const response = await listPages(
        await client(),
        'ListFaces',
        defined({
          CollectionId: positionals[0],
          UserId: stringFlag(values, 'user-id'),
          FaceIds: listFlag(values, 'face-id'),
          MaxResults: numberFlag(values, 'max-results'),
          NextToken: stringFlag(values, 'next-token'),
        }),
        ['Faces'],
      );
      emit(io, output, response, () => {
        const faces = response.Faces ?? [];
        const more = response.NextToken ? `NextToken: ${response.NextToken}\n` : '';
        if (faces.length === 0) return `No faces\n${more}`;
        return (
          renderTable(
            ['FaceId', 'ExternalImageId', 'Confidence', 'UserId', 'ImageId'],
            faces.map((f) => [
              f.FaceId,
              f.ExternalImageId,
              percent(f.Confidence),
              f.UserId,
              f.ImageId,
            ]),
          ) +
          `${faces.length} face${faces.length === 1 ? '' : 's'} (face model ${response.FaceModelVersion})\n${more}`
        );
      });
      return 0;
    },
  },
  {
    path: ['faces', 'delete'],
    summary: 'delete faces from a collection (DeleteFaces)',
    args: '<collection-id> <face-id>...',
    // Without face ids the service answers with the API's own validation error.
    positionals: { min: 1 },
    options: {},
    examples: ['facekit faces delete family 0b6a0e2c-5f6b-4c5e-9d1c-2a4b6c8d0e1f'],
    async run({ io, output, positionals, client }) {
      const [CollectionId, ...FaceIds] = positionals;
      const response = await (await client()).call('DeleteFaces', { CollectionId, FaceIds });
      emit(io, output, response, () =>
        renderTable(
          ['FaceId', 'Result', 'Reasons'],
          [
            ...(response.DeletedFaces ?? []).map((id) => [id, 'deleted', '']),
            ...(response.UnsuccessfulFaceDeletions ?? []).map((u) => [
              u.FaceId,
              'not deleted',
              `${(u.Reasons ?? []).join(', ')}${u.UserId ? ` (user ${u.UserId})` : ''}`,
            ]),
          ],
        ),
      );
      return 0;
    },
  },
];
