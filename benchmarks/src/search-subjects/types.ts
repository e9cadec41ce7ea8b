import type { FaceStore } from '@facekit/core';

/** An open store and how to close it (and whatever it runs on). */
export interface FaceStoreHandle {
  store: FaceStore;
  close(): Promise<void>;
}

/** One store configuration that `pnpm bench:search` measures. */
export interface SearchBenchSubject {
  readonly name: string;
  open(dir: string, dimension: number): Promise<FaceStoreHandle>;
  diskBytes(dir: string): Promise<number>;
}
