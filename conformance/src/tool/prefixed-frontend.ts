import type { OperationName } from '@facekit/core';
import { ApiCallError, type ApiFrontend, type WireObject } from '../api/api-frontend.js';

const COLLECTION_ARN = /^((?:arn:)?aws:rekognition:[^:]*:[^:]*:collection\/)(.+)$/;

/**
 * A frontend that keeps the scenarios inside collections of their own on a shared account: every
 * `CollectionId` (and collection ARN) the scenarios send gets `prefix` in front, responses and
 * error messages have it removed again (so do `ClientRequestToken`s, which outlive a run), and listings show only the prefixed collections. So the
 * scenarios, written for an empty service, run unchanged on an account that has other data,
 * and {@link PrefixedFrontend.deleteCollections} can remove everything they made.
 */
export interface PrefixedFrontend extends ApiFrontend {
  readonly prefix: string;
  /** Deletes every collection whose id starts with the prefix; returns their ids. */
  deleteCollections(): Promise<string[]>;
}

export function createPrefixedFrontend(inner: ApiFrontend, prefix: string): PrefixedFrontend {
  const tokens = new Map<string, string>();
  const strip = (text: string) => {
    let out = text.split(prefix).join('');
    for (const [token, unique] of tokens) out = out.split(unique).join(token);
    return out;
  };
  const unprefix = (value: unknown): unknown => {
    if (typeof value === 'string') return strip(value);
    if (Array.isArray(value)) return value.map(unprefix);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unprefix(v)]));
    }
    return value;
  };

  async function call(operation: OperationName, input: WireObject): Promise<WireObject> {
    const sent: WireObject = { ...input };
    if (typeof input.CollectionId === 'string') sent.CollectionId = prefix + input.CollectionId;
    // Idempotency tokens live for hours on the server: each run needs its own.
    if (typeof input.ClientRequestToken === 'string') {
      const token = input.ClientRequestToken;
      if (!tokens.has(token)) tokens.set(token, crypto.randomUUID());
      sent.ClientRequestToken = tokens.get(token);
    }
    if (typeof input.ResourceArn === 'string') {
      sent.ResourceArn = input.ResourceArn.replace(COLLECTION_ARN, `$1${prefix}$2`);
    }
    let output: WireObject;
    try {
      output = await inner.call(operation, sent);
    } catch (error) {
      if (!(error instanceof ApiCallError)) throw error;
      throw new ApiCallError(
        { name: error.name, message: strip(error.message), httpStatus: error.httpStatus },
        { cause: error },
      );
    }
    if (operation === 'ListCollections') output = onlyPrefixed(output);
    return unprefix(output) as WireObject;
  }

  function onlyPrefixed(output: WireObject): WireObject {
    const ids = Array.isArray(output.CollectionIds) ? (output.CollectionIds as string[]) : [];
    const versions = Array.isArray(output.FaceModelVersions)
      ? (output.FaceModelVersions as string[])
      : undefined;
    const keep = ids.map((id) => id.startsWith(prefix));
    return {
      ...output,
      CollectionIds: ids.filter((_, i) => keep[i]),
      ...(versions ? { FaceModelVersions: versions.filter((_, i) => keep[i]) } : {}),
    };
  }

  return {
    name: `${inner.name}, collections prefixed ${prefix}`,
    sendsRawInput: inner.sendsRawInput,
    prefix,
    call,
    async deleteCollections() {
      const ours: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await inner.call('ListCollections', NextToken ? { NextToken } : {});
        for (const id of (page.CollectionIds as string[] | undefined) ?? []) {
          if (id.startsWith(prefix)) ours.push(id);
        }
        NextToken = page.NextToken as string | undefined;
      } while (NextToken);
      for (const CollectionId of ours) {
        await inner.call('DeleteCollection', { CollectionId }).catch((error: unknown) => {
          if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
        });
      }
      return ours;
    },
  };
}
