import type { ApiClient, ClientInput, ClientOutput } from '../client/api-client.js';

/**
 * One page when the user asked for one (`--max-results` or `--next-token`); otherwise every page,
 * merged the way `aws rekognition` merges them (the `result_key` lists of the API's paginator
 * model concatenated, no `NextToken`).
 */
export async function listPages<Op extends 'ListCollections' | 'ListFaces' | 'ListUsers'>(
  client: ApiClient,
  operation: Op,
  input: ClientInput<Op>,
  resultKeys: readonly string[],
): Promise<ClientOutput<Op>> {
  const paged = input as { MaxResults?: number; NextToken?: string };
  if (paged.MaxResults !== undefined || paged.NextToken !== undefined) {
    return client.call<Op>(operation, input);
  }
  let merged: Record<string, unknown> | undefined;
  let NextToken: string | undefined;
  do {
    const page = (await client.call<Op>(operation, {
      ...input,
      ...(NextToken ? { NextToken } : {}),
    } as ClientInput<Op>)) as Record<string, unknown>;
    NextToken = page.NextToken as string | undefined;
    const { NextToken: _token, ...rest } = page;
    if (!merged) merged = rest;
    else {
      for (const key of resultKeys) {
        merged[key] = [...((merged[key] as unknown[]) ?? []), ...((rest[key] as unknown[]) ?? [])];
      }
    }
  } while (NextToken);
  return merged as ClientOutput<Op>;
}
