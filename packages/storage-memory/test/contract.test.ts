import { describeFaceStoreContract } from '@facekit/conformance/storage';
import { createMemoryFaceStore } from '../src/index.js';

describeFaceStoreContract('memory', async () => createMemoryFaceStore());
