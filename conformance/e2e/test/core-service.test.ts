import { describeApiScenarios } from '@facekit/conformance/api';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { coreServiceHarness } from './harnesses.js';

describeApiScenarios('core service, memory store', () =>
  coreServiceHarness(createMemoryFaceStore()),
);
