import { type Command, defined, numberFlag, stringFlag } from '../command.js';
import { emit, renderFields, renderTable } from '../output.js';
import { UsageError } from '../usage-error.js';
import { listPages } from './paginate.js';

const pageOptions = {
  'max-results': {
    type: 'string',
    value: '<n>',
    description: 'one page of at most n (default: every page, merged)',
  },
  'next-token': { type: 'string', value: '<token>', description: 'the page after this token' },
} as const;

export { pageOptions };

/** `key=value` pairs (of repeated `--tag` flags, or arguments). */
export function parseTags(
  tags: string[] | undefined,
  what = '--tag',
): Record<string, string> | undefined {
  if (!tags) return undefined;
  return Object.fromEntries(
    tags.map((tag) => {
      const at = tag.indexOf('=');
      if (at < 1) throw new UsageError(`invalid ${what} '${tag}': expected key=value`);
      return [tag.slice(0, at), tag.slice(at + 1)];
    }),
  );
}

export const collectionCommands: Command[] = [
  {
    path: ['collections', 'create'],
    summary: 'create a collection (CreateCollection)',
    args: '<collection-id>',
    positionals: { min: 1, max: 1 },
    options: {
      tag: { type: 'string', multiple: true, value: '<key=value>', description: 'a tag' },
    },
    examples: [
      'facekit collections create family',
      'facekit collections create team --tag env=prod',
    ],
    async run({ io, output, positionals, values, client }) {
      const response = await (await client()).call(
        'CreateCollection',
        defined({ CollectionId: positionals[0], Tags: parseTags(values.tag as string[]) }),
      );
      emit(io, output, response, () =>
        renderFields([
          ['Created collection', positionals[0]],
          ['CollectionArn', response.CollectionArn],
          ['FaceModelVersion', response.FaceModelVersion],
        ]),
      );
      return 0;
    },
  },
  {
    path: ['collections', 'delete'],
    summary: 'delete a collection and its faces and users (DeleteCollection)',
    args: '<collection-id>',
    positionals: { min: 1, max: 1 },
    options: {},
    examples: ['facekit collections delete family'],
    async run({ io, output, positionals, client }) {
      const response = await (await client()).call('DeleteCollection', {
        CollectionId: positionals[0],
      });
      emit(io, output, response, () => `Deleted collection ${positionals[0]}\n`);
      return 0;
    },
  },
  {
    path: ['collections', 'list'],
    summary: 'list collections (ListCollections)',
    args: '',
    positionals: { min: 0, max: 0 },
    options: pageOptions,
    examples: ['facekit collections list', 'facekit collections list --output json'],
    async run({ io, output, values, client }) {
      const response = await listPages(
        await client(),
        'ListCollections',
        defined({
          MaxResults: numberFlag(values, 'max-results'),
          NextToken: stringFlag(values, 'next-token'),
        }),
        ['CollectionIds', 'FaceModelVersions'],
      );
      emit(io, output, response, () => {
        const ids = response.CollectionIds ?? [];
        const table = renderTable(
          ['CollectionId', 'FaceModelVersion'],
          ids.map((id, i) => [id, response.FaceModelVersions?.[i]]),
        );
        const more = response.NextToken ? `NextToken: ${response.NextToken}\n` : '';
        return ids.length === 0 ? `No collections\n${more}` : table + more;
      });
      return 0;
    },
  },
  {
    path: ['collections', 'describe'],
    summary:
      'face and user counts, ARN, model version and age of a collection (DescribeCollection)',
    args: '<collection-id>',
    positionals: { min: 1, max: 1 },
    options: {},
    examples: ['facekit collections describe family'],
    async run({ io, output, positionals, client }) {
      const response = await (await client()).call('DescribeCollection', {
        CollectionId: positionals[0],
      });
      emit(io, output, response, () =>
        renderFields([
          ['CollectionId', positionals[0]],
          ['CollectionARN', response.CollectionARN],
          ['FaceCount', response.FaceCount],
          ['UserCount', response.UserCount],
          ['FaceModelVersion', response.FaceModelVersion],
          [
            'CreationTimestamp',
            response.CreationTimestamp === undefined
              ? undefined
              : new Date(Number(response.CreationTimestamp) * 1000).toISOString(),
          ],
        ]),
      );
      return 0;
    },
  },
];
