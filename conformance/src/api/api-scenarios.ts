import type { ApiHarness } from './api-frontend.js';
import {
  defineScenarios,
  describe,
  it,
  registerWithVitest,
  type ScenarioGroup,
} from './scenario-suite.js';
import { collectionScenarios } from './scenarios/collections.js';
import { concurrencyScenarios } from './scenarios/concurrency.js';
import { faceScenarios } from './scenarios/faces.js';
import { photoScenarios } from './scenarios/image-photos.js';
import { imageValidationScenarios } from './scenarios/image-validation.js';
import { type ApiScenarioContext, useApiHarness } from './scenarios/scenario-context.js';
import { tagScenarios } from './scenarios/tags.js';
import { userScenarios } from './scenarios/users.js';

/** The topics of the API scenarios, one file each in `api/scenarios/`. */
export type ApiScenarioGroup =
  | 'collections'
  | 'faces'
  | 'users'
  | 'tags'
  | 'concurrency'
  | 'imageValidation'
  | 'photos';

export interface ApiScenarioOptions {
  /**
   * Groups this frontend does not run, each with the reason, which the report shows as a skipped
   * scenario: `{ concurrency: 'one request at a time over stdin' }`.
   */
  skip?: Partial<Record<ApiScenarioGroup, string>>;
}

/** Every group of scenarios, in the order it runs, with the name it is reported under. */
export const apiScenarioGroups: Record<
  ApiScenarioGroup,
  { title: string; define: (scenario: ApiScenarioContext) => void }
> = {
  collections: { title: 'collections', define: collectionScenarios },
  faces: { title: 'faces', define: faceScenarios },
  users: { title: 'users', define: userScenarios },
  tags: { title: 'tags', define: tagScenarios },
  concurrency: { title: 'concurrency', define: concurrencyScenarios },
  imageValidation: { title: 'image operations', define: imageValidationScenarios },
  photos: { title: 'image operations on photos', define: photoScenarios },
};

/** Registers {@link apiScenarioSuite} with vitest. */
export function describeApiScenarios(
  frontendName: string,
  setup: () => Promise<ApiHarness>,
  options: ApiScenarioOptions = {},
): void {
  registerWithVitest(apiScenarioSuite(frontendName, setup, options));
}

/**
 * Rekognition's control-plane behaviour, written once in wire JSON and run against every
 * frontend, under vitest or the `facekit-conformance` command. Every successful response is also
 * checked against the API model's output shape. Scenarios that seed faces with chosen vectors
 * need the harness's store; without one they are skipped. A group a frontend cannot run is named
 * in `options.skip` with the reason.
 */
export function apiScenarioSuite(
  frontendName: string,
  setup: () => Promise<ApiHarness>,
  options: ApiScenarioOptions = {},
): ScenarioGroup {
  return defineScenarios(`Rekognition API scenarios: ${frontendName}`, () => {
    const scenario = useApiHarness(setup);
    for (const [key, group] of Object.entries(apiScenarioGroups)) {
      const reason = options.skip?.[key as ApiScenarioGroup];
      if (reason === undefined) group.define(scenario);
      else describe(group.title, () => it.skip('skipped by the frontend', undefined, reason));
    }
  });
}
