// The few web-standard globals the core uses. Every runtime we target (Node >= 20, Bun, Deno,
// browsers) has them; declaring them here keeps `lib: ["DOM"]` and `@types/node` out of the core.
declare global {
  var crypto: {
    randomUUID(): `${string}-${string}-${string}-${string}-${string}`;
    getRandomValues<T extends ArrayBufferView>(array: T): T;
    subtle: {
      digest(algorithm: 'SHA-256', data: ArrayBufferView | ArrayBuffer): Promise<ArrayBuffer>;
    };
  };
  function btoa(data: string): string;
  function atob(data: string): string;
  function setTimeout(handler: () => void, ms?: number): unknown;
  class TextEncoder {
    encode(input?: string): Uint8Array;
    encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
  }
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean });
    decode(input?: ArrayBufferView | ArrayBuffer): string;
  }
}

export {};
