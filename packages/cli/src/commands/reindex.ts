import { type ReindexReport, reindexCollection } from '@facekit/core/reindex';
import { type Command, numberFlag, resolveLocalConfig, stringFlag } from '../command.js';
import {
  type ClosableAnalyzer,
  checkFaceModel,
  createLocalServices,
  loadAnalyzer,
} from '../local-service.js';
import { emit, renderFields, renderTable } from '../output.js';
import { formatDuration, Progress } from '../progress.js';
import { countKeptImages } from '../source-images.js';
import { UsageError } from '../usage-error.js';

const COLLECTION_ID = /^[a-zA-Z0-9_.-]{1,255}$/;

/** `facekit collections reindex`: a collection again with another face model, from kept images. */
export const reindexCommand: Command = {
  path: ['collections', 'reindex'],
  summary: 'index a collection again with another face model, from the kept source images',
  args: '<collection-id>',
  positionals: { min: 1, max: 1 },
  options: {
    'target-collection-id': {
      type: 'string',
      value: '<id>',
      description: 'the new collection [<collection-id>-v<face model>, e.g. family-v2.0]',
    },
    concurrency: {
      type: 'string',
      value: '<n>',
      description: 'images analysed at once [2]',
    },
    quiet: { type: 'boolean', short: 'q', description: 'no progress, only the summary' },
  },
  notes: `--face-model (required here) is the face model to index with, e.g. 2.0.

Each image kept by IndexFaces (facekit serve --keep-source-images, or FACEKIT_KEEP_SOURCE_IMAGES)
is analysed again; each face is matched to the new detection at the same place (bounding-box IoU
>= 0.5) and written to the target collection with its FaceId, ImageId and ExternalImageId; then
the users are recreated with their faces. The source collection is not changed: point your
application at the new collection, then delete the old one. Faces whose image was not kept, or
that the new model does not find, are listed.

Resumable: the faces already in the target collection are skipped, so running the same command
again after an interruption (Ctrl-C stops after the current image) continues where it stopped.

In-process on the data directory only (the kept images never leave it): not available with
--endpoint. Best run while no one indexes into the source collection.`,
  examples: [
    'facekit collections reindex family --face-model 2.0',
    'facekit collections reindex family --face-model 2.0 --target-collection-id family-dlib',
  ],
  async run({ io, output, positionals, values }) {
    const [sourceId] = positionals;
    if (values.endpoint !== undefined || io.env.FACEKIT_ENDPOINT) {
      throw new UsageError(
        'collections reindex runs in-process on the data directory, where the kept source images are; it is not available with --endpoint (or FACEKIT_ENDPOINT). Run it on the server machine with the same --data-dir.',
      );
    }
    const model = stringFlag(values, 'face-model');
    if (model === undefined) {
      throw new UsageError(
        "--face-model <version> is required: the face model to re-index with, e.g. 2.0 (run 'facekit collections reindex --help')",
      );
    }
    const concurrency = numberFlag(values, 'concurrency') ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new UsageError(`invalid --concurrency '${values.concurrency}': expected 1..64`);
    }
    const config = resolveLocalConfig(values, io);
    if (config.store === 'memory') {
      throw new UsageError(
        'collections reindex needs a persistent store: a memory store and its images are gone with the process that held them',
      );
    }
    const targetId = stringFlag(values, 'target-collection-id') ?? `${sourceId}-v${model}`;
    if (!COLLECTION_ID.test(targetId)) {
      throw new UsageError(
        `invalid --target-collection-id '${targetId}': expected [a-zA-Z0-9_.-], at most 255`,
      );
    }
    await checkFaceModel(model, '');
    const local = createLocalServices(config);
    const store = await local.openStore();
    const sourceImages = local.sourceImages();
    const imagesDir = local.sourceImagesLocation;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    const started = performance.now();
    let analyzer: ClosableAnalyzer | undefined;
    let report: ReindexReport;
    try {
      // Before any model loads or progress bar shows: with no image kept there is nothing to do.
      const kept = await countKeptImages(store, sourceImages, sourceId);
      if (kept.images === 0 && kept.faces > 0) {
        io.stderr.write(
          `facekit: no source image of collection ${sourceId} was kept (looked in ${imagesDir}), so its ${kept.faces} faces cannot be re-indexed. facekit keeps images only when IndexFaces runs with --keep-source-images (FACEKIT_KEEP_SOURCE_IMAGES), off by default as in Rekognition. Index the photos again into a new collection instead: facekit collections create <new> --face-model ${model} && facekit index <new> <folder> --face-model ${model}\n`,
        );
        return 1;
      }
      analyzer = await loadAnalyzer(model, config.runtime);
      let progress: Progress | undefined;
      report = await reindexCollection({
        store,
        sourceImages,
        analyzer,
        sourceCollectionId: sourceId,
        targetCollectionId: targetId,
        signal: stop.signal,
        concurrency,
        onPlan(plan) {
          progress = new Progress(io.stderr, plan.images, Boolean(values.quiet));
          if (plan.alreadyPresent > 0 && !values.quiet) {
            progress.note(
              `${plan.alreadyPresent} of ${plan.sourceFaces} faces already in ${targetId}: continuing`,
            );
          }
          if (kept.images < kept.total && !values.quiet) {
            progress.note(
              `${kept.total - kept.images} of ${kept.total} source images were not kept (looked in ${imagesDir}): their faces are listed at the end`,
            );
          }
        },
        onImage(result) {
          const name = result.externalImageId ?? result.imageId;
          const missed = result.missed.length
            ? `, ${result.missed.length} not (${[...new Set(result.missed.map((m) => reasonText(m.reason)))].join(', ')})`
            : '';
          progress?.tick(`${name}: ${result.reindexed} faces re-indexed${missed}`);
        },
      });
      progress?.finish();
    } finally {
      process.removeListener('SIGINT', onSignal);
      await analyzer?.close();
      await store.close();
    }

    const seconds = (performance.now() - started) / 1000;
    const missed = report.missed.map((m) => ({
      FaceId: m.face.faceId,
      ImageId: m.face.imageId,
      ...(m.face.externalImageId === undefined ? {} : { ExternalImageId: m.face.externalImageId }),
      Reason: m.reason,
      ...(m.error === undefined ? {} : { Error: m.error }),
    }));
    const summary = {
      SourceCollectionId: sourceId,
      TargetCollectionId: targetId,
      FaceModelVersion: report.faceModelVersion,
      Complete: report.complete,
      SourceFaces: report.sourceFaces,
      AlreadyPresent: report.alreadyPresent,
      Reindexed: report.reindexed,
      UsersCreated: report.usersCreated,
      FacesAssociated: report.facesAssociated,
      MissedFaces: missed,
    };
    emit(io, output, summary, () => {
      const fields = renderFields([
        ['Source collection', `${sourceId} (${report.sourceFaces} faces)`],
        [
          'Target collection',
          `${targetId}, face model ${report.faceModelVersion}${report.targetCreated ? ' (created)' : ''}`,
        ],
        ['Faces re-indexed', report.reindexed],
        ['Already there', report.alreadyPresent],
        ['Not re-indexed', report.missed.length],
        ['Users recreated', `${report.usersCreated} (${report.facesAssociated} faces associated)`],
        ['Time', formatDuration(seconds)],
      ]);
      const list = missed.length
        ? renderTable(
            ['FaceId', 'ExternalImageId', 'ImageId', 'why'],
            missed.map((m) => [m.FaceId, m.ExternalImageId, m.ImageId, reasonText(m.Reason)]),
          )
        : '';
      return fields + list;
    });
    if (!report.complete) {
      io.stderr.write(
        `facekit: stopped before the end; run the same command again to continue (${report.reindexed} faces written to ${targetId} are kept)\n`,
      );
      return 1;
    }
    return 0;
  },
};

function reasonText(reason: string): string {
  switch (reason) {
    case 'IMAGE_NOT_KEPT':
      return 'image not kept';
    case 'FACE_NOT_FOUND':
      return 'face not found by the new model';
    default:
      return 'image could not be analysed';
  }
}
