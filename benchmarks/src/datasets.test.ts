import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  datasetsDir,
  facelessImages,
  labelledPairs,
  masterPairs,
  pivotPairs,
  widerSubset,
} from './datasets.js';

const root = datasetsDir();

describe.skipIf(!existsSync(root))(
  `dataset readers${existsSync(root) ? '' : ' (skipped: ../shared/datasets not found)'}`,
  () => {
    it('reads the pivot pairs: 140 same, 140 different, files present', () => {
      const pairs = pivotPairs(root);
      expect(pairs.filter((p) => p.same)).toHaveLength(140);
      expect(pairs.filter((p) => !p.same)).toHaveLength(140);
      expect(pairs.every((p) => existsSync(p.a) && existsSync(p.b))).toBe(true);
    });

    it('joins the pivot and master pairs, each pair once, in the order first read', () => {
      const all = [...pivotPairs(root), ...masterPairs(root)];
      const pairs = labelledPairs(root);
      const key = (p: { a: string; b: string; same: boolean }) => `${p.a}|${p.b}|${p.same}`;
      expect(new Set(pairs.map(key)).size).toBe(pairs.length);
      expect(new Set(all.map(key)).size).toBe(pairs.length);
      expect(pairs.length).toBeLessThan(all.length);
      expect(pairs[0]).toEqual(all[0]);
    });

    it('reads the WIDER subset ground truth', () => {
      const images = widerSubset(root);
      expect(images).toHaveLength(351);
      const boxes = images.reduce((n, image) => n + image.boxes.length + image.invalid.length, 0);
      expect(boxes).toBeGreaterThan(4500);
      expect(images[0].boxes[0]).toHaveLength(4);
    });

    it('lists face-less photos that exist', () => {
      expect(facelessImages(root).length).toBeGreaterThanOrEqual(10);
    });
  },
);
