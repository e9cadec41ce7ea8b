import type { ModelManifestEntry } from '@facekit/core/onnx-models';

function toJson(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    // Arrays of numbers or strings stay on one line, as Biome formats them.
    if (value.every((v) => v === null || typeof v !== 'object')) {
      return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    }
    const inner = `${indent}  `;
    return `[\n${value.map((v) => inner + toJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).filter(([, v]) => v !== undefined);
    if (members.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = members.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${toJson(v, inner)}`);
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** `manifest.json` text, formatted the way `biome format` leaves it so the lint stays clean. */
export function formatManifest(entries: readonly ModelManifestEntry[]): string {
  return `${toJson(entries, '')}\n`;
}
