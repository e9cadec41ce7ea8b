import type { Command } from '../command.js';
import { emit, renderTable } from '../output.js';
import { parseTags } from './collections.js';

const arnNote =
  'The resource is a collection ARN, as collections describe prints it (CollectionARN).';

export const tagCommands: Command[] = [
  {
    path: ['tags', 'list'],
    summary: 'list the tags of a collection (ListTagsForResource)',
    args: '<collection-arn>',
    positionals: { min: 1, max: 1 },
    options: {},
    notes: arnNote,
    examples: ['facekit tags list arn:aws:rekognition:us-east-1:000000000000:collection/family'],
    async run({ io, output, positionals, client }) {
      const response = await (await client()).call('ListTagsForResource', {
        ResourceArn: positionals[0],
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
    args: '<collection-arn> <key=value>...',
    positionals: { min: 1 },
    options: {},
    notes: arnNote,
    examples: [
      'facekit tags add arn:aws:rekognition:us-east-1:000000000000:collection/family env=prod',
    ],
    async run({ io, output, positionals, client }) {
      const [ResourceArn, ...pairs] = positionals;
      const response = await (await client()).call('TagResource', {
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
    args: '<collection-arn> <key>...',
    positionals: { min: 1 },
    options: {},
    notes: arnNote,
    examples: [
      'facekit tags remove arn:aws:rekognition:us-east-1:000000000000:collection/family env',
    ],
    async run({ io, output, positionals, client }) {
      const [ResourceArn, ...TagKeys] = positionals;
      const response = await (await client()).call('UntagResource', { ResourceArn, TagKeys });
      emit(io, output, response, () => `Untagged ${ResourceArn}\n`);
      return 0;
    },
  },
];
