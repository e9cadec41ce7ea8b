import type { FaceSeparationDecision } from '@facekit/core';
import { type Command, defined, listFlag, numberFlag, stringFlag } from '../command.js';
import { emit, percent, renderTable } from '../output.js';
import { UsageError } from '../usage-error.js';
import { falseAcceptRateFlag, falseAcceptRateOption } from './images.js';

/** `facekit people ...`: facekit's clustering extensions and naming a cluster. */
export const peopleCommands: Command[] = [
  {
    path: ['people', 'cluster'],
    summary:
      'group the faces not associated with a user into candidate people (FacekitService.ClusterFaces)',
    args: '<collection-id>',
    positionals: { min: 1, max: 1 },
    options: {
      threshold: {
        type: 'string',
        value: '<0-100>',
        description: 'SimilarityThreshold: how alike two groups must be on average [85]',
      },
      ...falseAcceptRateOption,
      'min-size': {
        type: 'string',
        value: '<n>',
        description: 'MinClusterSize: smallest group of new faces reported [2]',
      },
      'max-clusters': {
        type: 'string',
        value: '<n>',
        description: 'MaxClusters: most clusters listed, largest first [1000]',
      },
    },
    examples: [
      'facekit people cluster family',
      'facekit people cluster family --max-false-accept-rate 0.001 -o json',
    ],
    notes:
      "New faces of a user come back under its UserId. Name a cluster with 'facekit people name', refuse a face with 'facekit people separate'.",
    async run({ io, output, positionals, values, client }) {
      const response = await (await client()).callExtension(
        'ClusterFaces',
        defined({
          CollectionId: positionals[0],
          SimilarityThreshold: numberFlag(values, 'threshold'),
          MinClusterSize: numberFlag(values, 'min-size'),
          MaxClusters: numberFlag(values, 'max-clusters'),
        }),
        falseAcceptRateFlag(values),
      );
      emit(io, output, response, () => {
        const clusters = response.Clusters ?? [];
        const summary = `${response.ClusterCount} clusters of ${response.FaceCount} new faces (${response.UnclusteredFaceCount} unclustered) at Similarity ≥ ${response.SimilarityThreshold}\n`;
        if (clusters.length === 0) return summary;
        return (
          renderTable(
            ['#', 'UserId', 'New faces', 'Similarity', 'FaceIds'],
            clusters.map((c, i) => [
              i + 1,
              c.UserId ?? '(new)',
              c.FaceIds?.length,
              percent(c.Similarity),
              (c.FaceIds ?? []).join(' '),
            ]),
          ) + summary
        );
      });
      return 0;
    },
  },
  {
    path: ['people', 'separate'],
    summary:
      'record that faces are not a user, or not the same person as other faces (FacekitService.SeparateFaces)',
    args: '<collection-id> <face-id>...',
    positionals: { min: 2 },
    options: {
      user: { type: 'string', value: '<user-id>', description: 'the faces are not this user' },
      from: {
        type: 'string',
        multiple: true,
        value: '<face-id>',
        description: "the faces are not the person of these faces (a cluster's others); repeatable",
      },
      undo: {
        type: 'boolean',
        description:
          'take those decisions back instead (FacekitService.DeleteFaceSeparations): the faces may be grouped together again',
      },
    },
    examples: [
      'facekit people separate family 0b6a0e2c-5f6b-4c5e-9d1c-2a4b6c8d0e1f --user ana',
      'facekit people separate family <face-id> --from <face-id> --from <face-id>',
      'facekit people separate family 0b6a0e2c-5f6b-4c5e-9d1c-2a4b6c8d0e1f --user ana --undo',
    ],
    notes: "List the decisions with 'facekit people separations <collection-id>'.",
    async run({ io, output, positionals, values, client }) {
      const [CollectionId, ...FaceIds] = positionals;
      const UserId = stringFlag(values, 'user');
      const OtherFaceIds = listFlag(values, 'from');
      if ((UserId === undefined) === (OtherFaceIds === undefined)) {
        throw new UsageError('give exactly one of --user and --from');
      }
      if (values.undo) {
        const undone = await (await client()).callExtension(
          'DeleteFaceSeparations',
          defined({ CollectionId, FaceIds, UserId, OtherFaceIds }),
        );
        emit(io, output, undone, () => {
          const deleted = undone.DeletedSeparations ?? [];
          return `Took back ${deleted.length} decision${deleted.length === 1 ? '' : 's'}${deleted.length ? `: ${deleted.map(describeSeparation).join(', ')}` : ' (none was recorded)'}\n`;
        });
        return 0;
      }
      const response = await (await client()).callExtension(
        'SeparateFaces',
        defined({ CollectionId, FaceIds, UserId, OtherFaceIds }),
      );
      emit(io, output, response, () => {
        const unknown = response.UnknownFaceIds ?? [];
        return `Separated ${response.SeparatedFaceIds?.length ?? 0} faces${unknown.length ? `; not in ${CollectionId}: ${unknown.join(' ')}` : ''}\n`;
      });
      return 0;
    },
  },
  {
    path: ['people', 'separations'],
    summary:
      'list the "not this person" decisions of a collection (FacekitService.ListFaceSeparations)',
    args: '<collection-id>',
    positionals: { min: 1, max: 1 },
    options: {
      face: {
        type: 'string',
        value: '<face-id>',
        description: 'only the decisions about this face',
      },
      user: {
        type: 'string',
        value: '<user-id>',
        description: 'only the decisions about this user',
      },
    },
    examples: ['facekit people separations family', 'facekit people separations family --user ana'],
    notes: "Take one back with 'facekit people separate ... --undo'.",
    async run({ io, output, positionals, values, client }) {
      const response = await (await client()).callExtension(
        'ListFaceSeparations',
        defined({
          CollectionId: positionals[0],
          FaceId: stringFlag(values, 'face'),
          UserId: stringFlag(values, 'user'),
        }),
      );
      emit(io, output, response, () => {
        const separations = response.Separations ?? [];
        if (separations.length === 0) return 'No decisions recorded\n';
        return renderTable(
          ['FaceId', 'is not'],
          separations.map((s) => [
            s.FaceId,
            s.UserId !== undefined ? `user ${s.UserId}` : `face ${s.OtherFaceId}`,
          ]),
        );
      });
      return 0;
    },
  },
  {
    path: ['people', 'name'],
    summary: 'name a cluster: CreateUser (unless it exists) + AssociateFaces',
    args: '<collection-id> <user-id> <face-id>...',
    positionals: { min: 3 },
    options: {},
    examples: ['facekit people name family ana <face-id> <face-id>'],
    notes:
      'Plain Rekognition calls: any SDK can do the same. The faces are associated without a UserMatchThreshold check against the user (0), since the cluster was already judged.',
    async run({ io, output, positionals, client }) {
      const [CollectionId, UserId, ...FaceIds] = positionals;
      const api = await client();
      let created = false;
      try {
        await api.call('CreateUser', { CollectionId, UserId });
        created = true;
      } catch (error) {
        // The user exists: the cluster adds to it.
        if ((error as { name?: string }).name !== 'ConflictException') throw error;
      }
      const response = await api.call('AssociateFaces', {
        CollectionId,
        UserId,
        FaceIds,
        UserMatchThreshold: 0,
      });
      emit(io, output, response, () => {
        const failed = response.UnsuccessfulFaceAssociations ?? [];
        return `${created ? 'Created' : 'Updated'} user ${UserId}: ${response.AssociatedFaces?.length ?? 0} faces associated${failed.length ? `, ${failed.length} not (${failed.map((f) => `${f.FaceId}: ${f.Reasons?.join(',')}`).join('; ')})` : ''}\n`;
      });
      return 0;
    },
  },
];

const describeSeparation = (s: FaceSeparationDecision) =>
  `${s.FaceId} not ${s.UserId !== undefined ? `user ${s.UserId}` : `face ${s.OtherFaceId}`}`;
