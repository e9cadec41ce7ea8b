import type { ApiClient } from '../client/api-client.js';
import type { Command } from '../command.js';
import { emit, renderTable } from '../output.js';
import { parseTags } from './collections.js';

const arnNote =
  'The resource is a collection id or its ARN, as collections describe prints it (CollectionARN).';

/** The ARN the tag operations take: given, or the collection's, asked of DescribeCollection. */
async function collectionArn(api: ApiClient, idOrArn: string): Promise<string> {
  if (idOrArn.startsWith('arn:')) return idOrArn;
  const { CollectionARN } = await api.call('DescribeCollection', { CollectionId: idOrArn });
  if (!CollectionARN)
    throw new Error(`DescribeCollection returned no CollectionARN for ${idOrArn}`);
  return CollectionARN;
}

export const tagCommands: Command[] = [
  {
    path: ['tags', 'list'],
    summary: 'list the tags of a collection (ListTagsForResource)',
    args: '<collection-id-or-arn>',
    positionals: { min: 1, max: 1 },
    options: {},
    notes: arnNote,
    examples: [
      'facekit tags list family',
      'facekit tags list arn:aws:rekognition:us-east-1:000000000000:collection/family',
    ],
    async run({ io, output, positionals, client }) {
      const api = await client();
      const response = await api.call('ListTagsForResource', {
        ResourceArn: await collectionArn(api, positionals[0]),
      });
      emit(io, output, response, () => {
        const tags = Object.entries(response.Tags ?? {});
        return tags.length === 0 ? 'No tags\n' : renderTable(['Key', 'Value'], tags);
      });
      return 0;
    },
  },
  {
    path: ['tags', 'add'],
    summary: 'add or replace tags of a collection (TagResource)',
    args: '<collection-id-or-arn> <key=value>...',
    positionals: { min: 1 },
    options: {},
    notes: arnNote,
    examples: [
      'facekit tags add family env=prod',
      'facekit tags add arn:aws:rekognition:us-east-1:000000000000:collection/family env=prod',
    ],
    async run({ io, output, positionals, client }) {
      const [resource, ...pairs] = positionals;
      const api = await client();
      const ResourceArn = await collectionArn(api, resource);
      const response = await api.call('TagResource', {
        ResourceArn,
        Tags: parseTags(pairs, 'tag') ?? {},
      });
      emit(io, output, response, () => `Tagged ${ResourceArn}\n`);
      return 0;
    },
  },
  {
    path: ['tags', 'remove'],
    summary: 'remove tags of a collection by key (UntagResource)',
    args: '<collection-id-or-arn> <key>...',
    positionals: { min: 1 },
    options: {},
    notes: arnNote,
    examples: [
      'facekit tags remove family env',
      'facekit tags remove arn:aws:rekognition:us-east-1:000000000000:collection/family env',
    ],
    async run({ io, output, positionals, client }) {
      const [resource, ...TagKeys] = positionals;
      const api = await client();
      const ResourceArn = await collectionArn(api, resource);
      const response = await api.call('UntagResource', { ResourceArn, TagKeys });
      emit(io, output, response, () => `Untagged ${ResourceArn}\n`);
      return 0;
    },
  },
];
