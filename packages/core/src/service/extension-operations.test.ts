import { describe, expect, it } from 'vitest';
import { extensionOperationNames, extensionShapes } from '../model/extension-model.js';
import { shapes } from '../model/shapes.generated.js';
import { operationNames } from '../model/wire-types.generated.js';
import type { FaceStore } from '../storage/face-store.js';
import { FaceService } from './face-service.js';
import { methodName } from './operations/operation.js';

const collection = { collectionId: 'c', faceModelVersion: '7.0', createdAt: 0 };
/** A store that knows one collection: enough for DescribeSimilarityCalibration. */
const oneCollectionStore = {
  describeCollection: async (id: string) => {
    if (id !== 'c') throw Object.assign(new Error('no'), { name: 'ResourceNotFoundException' });
    return { ...collection, faceCount: 0, userCount: 0 };
  },
} as unknown as FaceStore;

const calibrated = {
  toPercent: (cosine: number) => cosine * 100,
  toCosine: (percent: number) => percent / 100,
  falseAcceptRates: [
    [90, 0.0001],
    [70, 0.01],
  ] as const,
};

describe('extension operations (FacekitService.*)', () => {
  it('never reuse a Rekognition operation or shape name', () => {
    for (const name of extensionOperationNames) expect(operationNames).not.toContain(name);
    for (const name of Object.keys(extensionShapes)) expect(shapes).not.toHaveProperty(name);
  });

  it('have a typed method each, and are not reachable through execute', async () => {
    const service = new FaceService({ store: oneCollectionStore });
    for (const operation of extensionOperationNames) {
      expect(typeof (service as unknown as Record<string, unknown>)[methodName(operation)]).toBe(
        'function',
      );
      await expect(service.execute(operation as 'ListCollections', {})).rejects.toMatchObject({
        name: 'UnknownOperationException',
      });
    }
    await expect(
      service.executeExtension('ListCollections' as 'DescribeSimilarityCalibration', {}),
    ).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });

  it('validate their input as Rekognition operations do', async () => {
    const service = new FaceService({ store: oneCollectionStore });
    await expect(
      service.executeExtension('DescribeSimilarityCalibration', { CollectionId: 'a b' }),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      service.executeExtension('DescribeSimilarityCalibration', { collectionId: 'c' }),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('DescribeSimilarityCalibration lists the measured points by rising Similarity', async () => {
    const service = new FaceService({ store: oneCollectionStore, similarity: calibrated });
    expect(await service.describeSimilarityCalibration({ CollectionId: 'c' })).toEqual({
      FaceModelVersion: '7.0',
      FalseAcceptRates: [
        { Similarity: 70, FalseAcceptRate: 0.01 },
        { Similarity: 90, FalseAcceptRate: 0.0001 },
      ],
    });
    expect(
      await new FaceService({ store: oneCollectionStore }).describeSimilarityCalibration(),
    ).toEqual({ FaceModelVersion: '7.0', FalseAcceptRates: [] });
  });

  it('takes the calibration of the collection face model from similarityScales, without analyzers', async () => {
    const byVersion = (version: string) =>
      new FaceService({ store: oneCollectionStore, similarityScales: { [version]: calibrated } });
    expect(
      (await byVersion('7.0').describeSimilarityCalibration({ CollectionId: 'c' }))
        .FalseAcceptRates,
    ).toHaveLength(2);
    // Another model's calibration is not this collection's: the linear default stays.
    expect(
      (await byVersion('1.0').describeSimilarityCalibration({ CollectionId: 'c' }))
        .FalseAcceptRates,
    ).toEqual([]);
  });
});
