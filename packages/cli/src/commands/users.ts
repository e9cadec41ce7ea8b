import { type Command, defined, numberFlag, stringFlag } from '../command.js';
import { imageReader, noResizeOption } from '../image-bytes.js';
import { emit, percent, renderFields, renderTable } from '../output.js';
import { UsageError } from '../usage-error.js';
import { pageOptions } from './collections.js';
import { listPages } from './paginate.js';

const tokenOption = {
  'client-request-token': {
    type: 'string',
    value: '<token>',
    description: 'idempotency token: a retry with it replays the first answer',
  },
} as const;

export const userCommands: Command[] = [
  {
    path: ['users', 'create'],
    summary: 'create a user in a collection (CreateUser)',
    args: '<collection-id> <user-id>',
    positionals: { min: 2, max: 2 },
    options: tokenOption,
    examples: ['facekit users create family ana'],
    async run({ io, output, positionals, values, client }) {
      const [CollectionId, UserId] = positionals;
      const response = await (await client()).call(
        'CreateUser',
        defined({
          CollectionId,
          UserId,
          ClientRequestToken: stringFlag(values, 'client-request-token'),
        }),
      );
      emit(io, output, response, () => `Created user ${UserId} in ${CollectionId}\n`);
      return 0;
    },
  },
  {
    path: ['users', 'delete'],
    summary: 'delete a user; its faces stay, unassociated (DeleteUser)',
    args: '<collection-id> <user-id>',
    positionals: { min: 2, max: 2 },
    options: tokenOption,
    examples: ['facekit users delete family ana'],
    async run({ io, output, positionals, values, client }) {
      const [CollectionId, UserId] = positionals;
      const response = await (await client()).call(
        'DeleteUser',
        defined({
          CollectionId,
          UserId,
          ClientRequestToken: stringFlag(values, 'client-request-token'),
        }),
      );
      emit(io, output, response, () => `Deleted user ${UserId} from ${CollectionId}\n`);
      return 0;
    },
  },
  {
    path: ['users', 'list'],
    summary: 'list the users of a collection (ListUsers)',
    args: '<collection-id>',
    positionals: { min: 1, max: 1 },
    options: pageOptions,
    examples: ['facekit users list family'],
    async run({ io, output, positionals, values, client }) {
      const response = await listPages(
        await client(),
        'ListUsers',
        defined({
          CollectionId: positionals[0],
          MaxResults: numberFlag(values, 'max-results'),
          NextToken: stringFlag(values, 'next-token'),
        }),
        ['Users'],
      );
      emit(io, output, response, () => {
        const users = response.Users ?? [];
        const more = response.NextToken ? `NextToken: ${response.NextToken}\n` : '';
        if (users.length === 0) return `No users\n${more}`;
        return (
          renderTable(
            ['UserId', 'UserStatus'],
            users.map((u) => [u.UserId, u.UserStatus]),
          ) + more
        );
      });
      return 0;
    },
  },
  {
    path: ['users', 'associate'],
    summary: 'associate faces with a user (AssociateFaces)',
    args: '<collection-id> <user-id> <face-id>...',
    positionals: { min: 2 },
    options: {
      threshold: {
        type: 'string',
        value: '<0-100>',
        description: "UserMatchThreshold: minimum similarity to the user's faces [75]",
      },
      ...tokenOption,
    },
    examples: [
      'facekit users associate family ana 0b6a0e2c-5f6b-4c5e-9d1c-2a4b6c8d0e1f',
      'facekit users associate family ana $(facekit faces list family -o json | jq -r ".Faces[].FaceId")',
    ],
    async run({ io, output, positionals, values, client }) {
      const [CollectionId, UserId, ...FaceIds] = positionals;
      const response = await (await client()).call(
        'AssociateFaces',
        defined({
          CollectionId,
          UserId,
          FaceIds,
          UserMatchThreshold: numberFlag(values, 'threshold'),
          ClientRequestToken: stringFlag(values, 'client-request-token'),
        }),
      );
      emit(
        io,
        output,
        response,
        () =>
          `${renderTable(
            ['FaceId', 'Result', 'Reasons'],
            [
              ...(response.AssociatedFaces ?? []).map((f) => [f.FaceId, 'associated', '']),
              ...(response.UnsuccessfulFaceAssociations ?? []).map((u) => [
                u.FaceId,
                'not associated',
                `${(u.Reasons ?? []).join(', ')}${u.UserId ? ` (user ${u.UserId})` : ''}${u.Confidence !== undefined ? ` (${percent(u.Confidence)})` : ''}`,
              ]),
            ],
          )}UserStatus: ${response.UserStatus}\n`,
      );
      return 0;
    },
  },
  {
    path: ['users', 'disassociate'],
    summary: 'remove faces from a user (DisassociateFaces)',
    args: '<collection-id> <user-id> <face-id>...',
    positionals: { min: 2 },
    options: tokenOption,
    examples: ['facekit users disassociate family ana 0b6a0e2c-5f6b-4c5e-9d1c-2a4b6c8d0e1f'],
    async run({ io, output, positionals, values, client }) {
      const [CollectionId, UserId, ...FaceIds] = positionals;
      const response = await (await client()).call(
        'DisassociateFaces',
        defined({
          CollectionId,
          UserId,
          FaceIds,
          ClientRequestToken: stringFlag(values, 'client-request-token'),
        }),
      );
      emit(
        io,
        output,
        response,
        () =>
          `${renderTable(
            ['FaceId', 'Result', 'Reasons'],
            [
              ...(response.DisassociatedFaces ?? []).map((f) => [f.FaceId, 'disassociated', '']),
              ...(response.UnsuccessfulFaceDisassociations ?? []).map((u) => [
                u.FaceId,
                'not disassociated',
                `${(u.Reasons ?? []).join(', ')}${u.UserId ? ` (user ${u.UserId})` : ''}`,
              ]),
            ],
          )}UserStatus: ${response.UserStatus}\n`,
      );
      return 0;
    },
  },
  {
    path: ['users', 'search'],
    summary:
      'find users like a user, a face or the largest face of an image (SearchUsers, SearchUsersByImage)',
    args: '<collection-id>',
    positionals: { min: 1, max: 1 },
    options: {
      'user-id': { type: 'string', value: '<id>', description: 'users similar to this user' },
      'face-id': { type: 'string', value: '<id>', description: 'users similar to this face' },
      image: { type: 'string', value: '<file>', description: 'users similar to its largest face' },
      threshold: {
        type: 'string',
        value: '<0-100>',
        description: 'UserMatchThreshold: minimum similarity [80]',
      },
      'max-users': { type: 'string', value: '<n>', description: 'at most n users [500]' },
      'quality-filter': {
        type: 'string',
        value: '<level>',
        description: 'with --image: NONE, AUTO, LOW, MEDIUM or HIGH',
      },
      ...noResizeOption,
    },
    examples: [
      'facekit users search family --image party.jpg',
      'facekit users search family --user-id ana --threshold 70',
    ],
    async run({ io, output, positionals, values, client }) {
      const CollectionId = positionals[0];
      const image = stringFlag(values, 'image');
      // --image picks SearchUsersByImage; otherwise the service checks that exactly one of
      // UserId and FaceId is given, with the API's own message.
      if (
        image !== undefined &&
        (values['user-id'] !== undefined || values['face-id'] !== undefined)
      ) {
        throw new UsageError(
          "--image cannot be combined with --user-id or --face-id (run 'facekit users search --help')",
        );
      }
      const common = {
        CollectionId,
        UserMatchThreshold: numberFlag(values, 'threshold'),
        MaxUsers: numberFlag(values, 'max-users'),
      };
      const api = await client();
      const response = image
        ? await api.call(
            'SearchUsersByImage',
            defined({
              ...common,
              Image: {
                Bytes: (await imageReader(io, { resize: !values['no-resize'] })(image)).bytes,
              },
              QualityFilter: stringFlag(values, 'quality-filter') as never,
            }),
          )
        : await api.call(
            'SearchUsers',
            defined({
              ...common,
              UserId: stringFlag(values, 'user-id'),
              FaceId: stringFlag(values, 'face-id'),
            }),
          );
      emit(io, output, response, () => {
        const matches = response.UserMatches ?? [];
        const searched =
          'SearchedFace' in response && response.SearchedFace
            ? renderFields([
                [
                  'Searched face',
                  'FaceId' in response.SearchedFace
                    ? response.SearchedFace.FaceId
                    : 'the largest face of the image',
                ],
              ])
            : '';
        if (matches.length === 0) return `${searched}No matching users\n`;
        return (
          searched +
          renderTable(
            ['Similarity', 'UserId', 'UserStatus'],
            matches.map((m) => [percent(m.Similarity), m.User?.UserId, m.User?.UserStatus]),
          )
        );
      });
      return 0;
    },
  },
];
