/** Section 6 of `pnpm bench:accuracy --variants`: detection settings compared on WIDER and the face-less photos. */
import { basename } from 'node:path';
import { defaultDetectionVerifier, type FaceDetectionOptions } from '@facekit/core/analyzer';
import { createNodeFaceAnalyzer, type NodeFaceAnalyzerOptions } from '@facekit/pipeline-node';
import { formatTable, num, pct } from '../report-format.js';
import { type AccuracyContext, heading } from './context.js';
import { evaluateFaceless, evaluateWider, type FacelessRun, type WiderRun } from './detection.js';

/** `widerRun` and `facelessRun` are the default analyzer's, measured already by the detection sections. */
export async function detectionVariantsSection(
  context: AccuracyContext,
  widerRun: WiderRun,
  facelessRun: FacelessRun,
): Promise<void> {
  const { analyzer, model, runtime, faceless } = context;
  const verifierPreset = defaultDetectionVerifier;
  heading('Detection variants (createNodeFaceAnalyzer({ detection }), same models and runtime)');
  type Variant = [string, Partial<FaceDetectionOptions>, NodeFaceAnalyzerOptions?];
  /** BlazeFace front-128 on a crop 1.5× the face, ≥ `threshold`, on faces ≥ `minHeight` px, under `below`. */
  const front128 = (threshold: number, minHeight?: number, below?: number): Variant => [
    `BlazeFace front-128 ≥ ${threshold}, crop 1.5×${minHeight ? `, faces ≥ ${minHeight} px` : ''}${below ? ` under ${below}` : ''}`,
    {
      verifyThreshold: threshold,
      verifyCropScale: 1.5,
      ...(minHeight ? { verifyMinHeight: minHeight } : {}),
      ...(below ? { verifyBelow: below } : {}),
    },
    { verifier: 'blazeface-front-128' },
  ];
  const allVariants: Variant[] = [
    ['defaults', {}],
    ['no detection verifier', {}, { detectionVerifier: false }],
    ...[0.5, 0.3, 0.1].map(
      (p): Variant => [
        `O-Net ≥ ${p} on every face ≥ 24 px`,
        {},
        {
          detectionVerifier: {
            model: 'mtcnn-onet-48',
            options: { minFaceProbability: p, largeFaceMinProbability: p },
          },
        },
      ],
    ),
    [
      'O-Net as shipped, no R-Net confirmation',
      {},
      verifierPreset ? { detectionVerifier: { ...verifierPreset, confirmModel: undefined } } : {},
    ],
    [
      'O-Net as shipped but on faces of every size',
      {},
      verifierPreset
        ? {
            detectionVerifier: {
              ...verifierPreset,
              options: { ...verifierPreset.options, minHeight: 0 },
            },
          }
        : {},
    ],
    ['no tiling (full-image pass only)', { tiling: false }],
    ['tiles at 0.7 like the full pass', { tileScoreThreshold: 0.7 }],
    ['0.8 everywhere', { scoreThreshold: 0.8, tileScoreThreshold: 0.8 }],
    ['0.9 everywhere', { scoreThreshold: 0.9, tileScoreThreshold: 0.9 }],
    ['containment 0.6', { containment: 0.6 }],
    ['containment 0.6, no cross-pass support', { containment: 0.6, supportThreshold: 1 }],
    ['containment 0.6, 2×2 tiles only', { containment: 0.6, tiling: { finerGrids: [] } }],
    ['full pass 0.6', { scoreThreshold: 0.6 }],
    ['full 0.5, tiles 0.6', { scoreThreshold: 0.5, tileScoreThreshold: 0.6 }],
    ['cross-pass support 0.3', { supportThreshold: 0.3 }],
    ['NMS IoU 0.3', { iouThreshold: 0.3 }],
    ['NMS IoU 0.5', { iouThreshold: 0.5 }],
    ['tiles even after a large face', { tiling: { skipWhenFaceHeightRatio: Infinity } }],
    ['tile box limit 0.6', { tileMaxBoxFraction: 0.6 }],
    [
      'finer grids 3× and 4× (up to 30 runs)',
      {
        tiling: {
          finerGrids: [
            { zoom: 3, maxTiles: 9 },
            { zoom: 4, maxTiles: 16 },
          ],
        },
      },
    ],
    // BlazeFace (256) confirming each face, on a crop twice the face's side.
    ['BlazeFace verifier ≥ 0.5', { verifyThreshold: 0.5 }, { verifier: 'blazeface-back-256' }],
    ['BlazeFace verifier ≥ 0.75', { verifyThreshold: 0.75 }, { verifier: 'blazeface-back-256' }],
    [
      'BlazeFace ≥ 0.5 below 0.995',
      { verifyThreshold: 0.5, verifyBelow: 0.995 },
      { verifier: 'blazeface-back-256' },
    ],
    ['BlazeFace front-128 ≥ 0.5', { verifyThreshold: 0.5 }, { verifier: 'blazeface-front-128' }],
    front128(0.5),
    front128(0.5, 48),
    front128(0.5, 96),
    front128(0.5, 96, 0.999),
    front128(0.4, 96),
    front128(0.3, 96),
    front128(0.5, 64, 0.999),
    [
      'BlazeFace front-128 ≥ 0.5, crop 2×, faces ≥ 48 px',
      { verifyThreshold: 0.5, verifyMinHeight: 48 },
      { verifier: 'blazeface-front-128' },
    ],
    [
      'BlazeFace ≥ 0.5, IoU 0.1, crop 3×',
      { verifyThreshold: 0.5, verifyIou: 0.1, verifyCropScale: 3 },
      { verifier: 'blazeface-back-256' },
    ],
  ];
  const only = process.env.VARIANTS; // e.g. VARIANTS='defaults|BlazeFace'
  const variants = allVariants.filter(([name]) => !only || new RegExp(only).test(name));
  const rows = [
    [
      'variant',
      '<32 px',
      '32–96 px',
      '>96 px',
      'unmatched/img',
      'face-less FP/img',
      'where',
      'ms/img',
    ],
  ];
  for (const [name, detection, given] of variants) {
    // The BlazeFace variants were measured without the O-Net verifier; they stay so.
    const extra = given?.verifier ? { detectionVerifier: false as const, ...given } : given;
    const variant =
      name === 'defaults'
        ? analyzer
        : await createNodeFaceAnalyzer({ faceModelVersion: model, runtime, detection, ...extra });
    const w = name === 'defaults' ? widerRun : await evaluateWider(context, variant);
    const f = name === 'defaults' ? facelessRun : await evaluateFaceless(context, variant, false);
    rows.push([
      name,
      ...w.bands.map((b) => pct(b.recall)),
      num(w.falsePositives / w.images, 2),
      num(f.perImage, 3),
      faceless
        .map((path, i) => (f.found[i]?.length ? `${basename(path)} ${f.found[i]?.length}` : ''))
        .filter(Boolean)
        .join(', '),
      num(w.timing.mean, 0),
    ]);
    if (variant !== analyzer) await variant.close();
  }
  console.log(formatTable(rows));
}
