import type { Command } from '../command.js';
import { defined } from '../command.js';
import { emit, renderTable } from '../output.js';

/** `facekit calibration`: what a Similarity means for a collection's face model. */
export const calibrationCommand: Command = {
  path: ['calibration'],
  summary:
    'false accept rates the face model was measured at (FacekitService.DescribeSimilarityCalibration)',
  args: '[<collection-id>]',
  positionals: { min: 0, max: 1 },
  options: {},
  examples: ['facekit calibration', 'facekit calibration family --endpoint http://127.0.0.1:8080'],
  notes:
    'Without a collection: the face model of new collections. A facekit extension, not a Rekognition operation.',
  async run({ io, output, positionals, client }) {
    const response = await (await client()).callExtension(
      'DescribeSimilarityCalibration',
      defined({ CollectionId: positionals[0] }),
    );
    emit(io, output, response, () => {
      const points = response.FalseAcceptRates ?? [];
      const head = `Face model ${response.FaceModelVersion}\n`;
      if (points.length === 0) return `${head}Not measured: Similarity is a scaled cosine\n`;
      return (
        head +
        renderTable(
          ['Similarity', 'False accept rate'],
          points.map((p) => [p.Similarity, p.FalseAcceptRate]),
        )
      );
    });
    return 0;
  },
};
