import type { ModelManifestEntry } from '@facekit/core/onnx-models';
import manifest from '@facekit/models/manifest.json' with { type: 'json' };

/**
 * The models facekit knows, as this package was built: the manifest is inlined at build time, so
 * the sha256 every fetched model is checked against comes with the code, not from the server
 * that serves the models.
 */
export const modelManifest: readonly ModelManifestEntry[] = manifest as ModelManifestEntry[];

/** Options of {@link createModelFetcher}. */
export interface ModelFetcherOptions {
  /**
   * Where the ONNX files (`models/dist/*.onnx`, named as in the manifest) are served: an absolute
   * URL or one relative to the page, ending in `/`.
   */
  baseUrl: string | URL;
  /** Default `globalThis.fetch`; e.g. one that reads from the Cache API first. */
  fetch?: typeof globalThis.fetch;
  /** Default {@link modelManifest}. */
  manifest?: readonly ModelManifestEntry[];
}

/**
 * A `loadModel(id)` for `createPresetFaceAnalyzer` that downloads `baseUrl + entry.file`. The
 * analyzer checks the bytes against the manifest's sha256 (WebCrypto) before running them.
 * @throws {Error} from the returned function for an unknown id or a failed download.
 */
export function createModelFetcher(
  options: ModelFetcherOptions,
): (id: string) => Promise<{ entry: ModelManifestEntry; bytes: Uint8Array }> {
  const entries = options.manifest ?? modelManifest;
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = new URL(options.baseUrl, globalThis.location?.href);
  return async (id) => {
    const entry = entries.find((e) => e.id === id);
    if (!entry) {
      throw new Error(
        `Unknown model ${id}; the manifest has ${entries.map((e) => e.id).join(', ')}`,
      );
    }
    const url = new URL(entry.file, base);
    const response = await fetchImpl(url);
    if (!response.ok) {
      throw new Error(
        `Model ${id}: GET ${url} answered ${response.status} ${response.statusText}. Serve the files \`pnpm build\` writes to models/dist/ there.`,
      );
    }
    return { entry, bytes: new Uint8Array(await response.arrayBuffer()) };
  };
}
