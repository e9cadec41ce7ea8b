import { UnknownOperationException } from '../errors/exceptions.js';
import type { ExtensionOperationName, ExtensionOperationShapes } from '../model/extension-model.js';
import type { OperationName, OperationShapes } from '../model/wire-types.generated.js';
import type { FaceStore } from '../storage/face-store.js';
import type { SourceImageStore } from '../storage/source-image-store.js';
import { validateExtensionRequest, validateRequest } from '../validation/validate-shape.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { type ExtensionMethods, extensionHandlers } from './operations/extension-operations.js';
import { type OperationMethods, operationHandlers } from './operations/index.js';
import {
  type ExtensionOperationHandler,
  methodName,
  type OperationHandler,
} from './operations/operation.js';
import type { RequestOptions } from './request-options.js';
import {
  createServiceContext,
  type FaceServiceOptions,
  type ServiceContext,
} from './service-context.js';
import type { FaceServiceLimits } from './service-limits.js';

export type { FaceServiceOptions } from './service-context.js';
export { defaultFaceServiceLimits, type FaceServiceLimits } from './service-limits.js';

// The typed methods (`indexFaces`..., and the extensions' `describeSimilarityCalibration`...),
// installed on the prototype from the handler lists below the class, as the AWS SDK's
// createAggregatedClient does.
export interface FaceService extends OperationMethods, ExtensionMethods {}

/**
 * Amazon Rekognition's face operations over a {@link FaceStore}. Every method takes and returns
 * the wire shapes (PascalCase, epoch seconds), validates its input against the API model, and
 * throws only {@link RekognitionError}s. Frontends call {@link FaceService.execute}; the typed
 * methods (`createCollection`, `indexFaces`...) do the same. Each operation is a handler in
 * `service/operations/`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above declares the installed methods.
export class FaceService {
  readonly store: FaceStore;
  /** Where source images are kept, when retention is on. */
  readonly sourceImages: SourceImageStore | undefined;
  readonly faceModelVersion: string;
  readonly limits: FaceServiceLimits;
  /**
   * The per-collection locks of the operations that read then write; pass them to
   * `reindexCollection`, `exportCollection` or `importCollection` working on the same store in
   * this process, so they do not interleave with the service's writes.
   */
  readonly collectionLocks: KeyedMutex;
  readonly #context: ServiceContext;

  constructor(options: FaceServiceOptions) {
    this.#context = createServiceContext(options);
    this.store = this.#context.store;
    this.sourceImages = this.#context.sourceImages;
    this.faceModelVersion = this.#context.faceModelVersion;
    this.limits = this.#context.limits;
    this.collectionLocks = this.#context.collectionLocks;
  }

  /**
   * Stops the stored-video jobs in progress (they end FAILED, saying the server stopped) and
   * waits for them, before the store is closed.
   */
  closeVideoJobs(): Promise<void> {
    return this.#context.videoJobs.close();
  }

  /**
   * Runs one operation by name with an untrusted, not yet validated wire input. `options` carries
   * facekit's extensions beyond the wire contract (see {@link RequestOptions}).
   */
  async execute<Op extends OperationName>(
    operation: Op,
    input: unknown,
    options: RequestOptions = {},
  ): Promise<OperationShapes[Op]['output']> {
    const method = methodName(operation);
    // `indexFaces` is no operation name: only the capitalised `IndexFaces` is.
    const handler =
      /^[A-Z]/.test(operation) && Object.hasOwn(operationHandlers, method)
        ? (operationHandlers[method] as unknown as OperationHandler<Op>)
        : undefined;
    if (!handler) throw new UnknownOperationException(`Unknown operation: ${operation}`);
    return handler(this.#context, validateRequest(operation, input), options);
  }

  /**
   * Runs one of facekit's extension operations (`X-Amz-Target: FacekitService.<Operation>`, see
   * `model/extension-model.ts`) by name, with an untrusted wire input: validated and answered
   * as {@link FaceService.execute} does. Rekognition's names are not extensions, nor the reverse.
   */
  async executeExtension<Op extends ExtensionOperationName>(
    operation: Op,
    input: unknown,
    options: RequestOptions = {},
  ): Promise<ExtensionOperationShapes[Op]['output']> {
    const method = methodName(operation);
    const handler =
      /^[A-Z]/.test(operation) && Object.hasOwn(extensionHandlers, method)
        ? (extensionHandlers[
            method as keyof typeof extensionHandlers
          ] as unknown as ExtensionOperationHandler<Op>)
        : undefined;
    if (!handler) throw new UnknownOperationException(`Unknown operation: ${operation}`);
    return handler(this.#context, validateExtensionRequest(operation, input), options);
  }
}

for (const method of Object.keys(operationHandlers)) {
  const operation = (method.charAt(0).toUpperCase() + method.slice(1)) as OperationName;
  Object.defineProperty(FaceService.prototype, method, {
    value(this: FaceService, input: unknown = {}, options?: RequestOptions) {
      return this.execute(operation, input, options);
    },
    writable: true,
    configurable: true,
  });
}

for (const method of Object.keys(extensionHandlers)) {
  const operation = (method.charAt(0).toUpperCase() + method.slice(1)) as ExtensionOperationName;
  Object.defineProperty(FaceService.prototype, method, {
    value(this: FaceService, input: unknown = {}, options?: RequestOptions) {
      return this.executeExtension(operation, input, options);
    },
    writable: true,
    configurable: true,
  });
}
