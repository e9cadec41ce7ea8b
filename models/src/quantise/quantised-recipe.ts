import { createHash } from 'node:crypto';
import { sha256Hex } from '@facekit/core/onnx-models';
import type { ModelRecipe } from '../model-recipe.js';
import { type ActivationRange, type QdqOptions, quantiseQdq } from './quantise-qdq.js';

/** Ranges as a JSON import types them. */
export interface CalibrationRangesJson {
  model: string;
  sha256: string;
  calibration: string;
  ranges: Record<string, number[]>;
}

/**
 * The int8 version of `float`'s model (id `<float id>-int8`): the float model produced by its
 * own recipe, then quantised by {@link quantiseQdq} with ranges measured on photos
 * (`pnpm calibrate:int8`, committed as JSON), so the build needs no photos and gives the same
 * bytes everywhere.
 * @throws {Error} from `produce` when the float model is not the one the ranges were measured on.
 */
export function quantisedRecipe(
  float: ModelRecipe,
  calibration: CalibrationRangesJson,
  options: Omit<QdqOptions, 'ranges'> = {},
): ModelRecipe {
  if (calibration.model !== float.id) {
    throw new Error(`Ranges of ${calibration.model} given to quantise ${float.id}`);
  }
  const ranges: Record<string, ActivationRange> = {};
  for (const [name, range] of Object.entries(calibration.ranges)) {
    if (range.length !== 2) throw new Error(`${float.id}: range of "${name}" is not [min, max]`);
    ranges[name] = [range[0], range[1]];
  }
  // The version names the ranges and options too, so new ones make the build quantise again.
  const parameters = createHash('sha256')
    .update(JSON.stringify({ ranges, options }))
    .digest('hex')
    .slice(0, 12);
  return {
    ...float,
    id: `${float.id}-int8`,
    version: `${float.version}+int8.${parameters}`,
    source: { ...float.source, method: 'quantised' },
    origin: `${float.origin}; int8 by facekit's quantiser`,
    provenance: `${float.provenance} Quantised by facekit (models/src/quantise/) from the float model ${float.id}: static int8 in the QDQ format, weights int8 per output channel, activations uint8 per tensor (ranges: ${calibration.calibration}), ${(options.ops ?? ['Conv', 'Add']).join(' and ')} quantised${options.excludeNodes?.length ? ` except the nodes writing ${options.excludeNodes.join(', ')}` : ''}, everything else in float; opset raised to 11 where lower.`,
    async produce(context) {
      const bytes = await float.produce(context);
      const hash = await sha256Hex(bytes);
      if (hash !== calibration.sha256) {
        throw new Error(
          `${float.id}: the float model (sha256 ${hash}) is not the one the int8 ranges were measured on (${calibration.sha256}); run pnpm calibrate:int8 --write`,
        );
      }
      return quantiseQdq(bytes, { ...options, ranges });
    },
  };
}
