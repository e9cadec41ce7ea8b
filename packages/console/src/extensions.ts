import { signedFetch } from './signed-fetch.js';

/** A failed extension call, named like the Rekognition error the server answered. */
class ExtensionError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One of facekit's extension operations (`X-Amz-Target: FacekitService.<Operation>`): a plain
 * AWS JSON request signed with SigV4 as the SDK signs Rekognition's (the SDK has no command for
 * them). Fails with the server's error name, so an authentication failure opens the key dialog.
 */
export async function callExtension<T>(operation: string, input: unknown): Promise<T> {
  const body = JSON.stringify(input);
  const response = await signedFetch('/', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `FacekitService.${operation}`,
    },
    body,
  });
  const output = (await response.json()) as T & { __type?: string; Message?: string };
  if (!response.ok) {
    throw new ExtensionError(
      output.__type ?? 'UnknownError',
      output.Message ?? response.statusText,
    );
  }
  return output;
}

/** ClusterFaces' answer (README, "Extensions"). */
export interface ClusterFacesOutput {
  SimilarityThreshold: number;
  Clusters: { UserId?: string; UserFaceCount?: number; FaceIds: string[]; Similarity: number }[];
  ClusterCount: number;
  FaceCount: number;
  UnclusteredFaceCount: number;
}

/** A "not this person" decision (ListFaceSeparations, DeleteFaceSeparations). */
export interface FaceSeparationDecision {
  FaceId: string;
  OtherFaceId?: string;
  UserId?: string;
}
