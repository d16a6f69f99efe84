import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Box, boxIou, DEFAULT_MODEL_PATH, type Detector, loadDetector } from '../../src/detect/index.js';

// The committed model on the committed fixtures (scripts/dust/make_fixtures.py): synthetic scenes of seed 2001 and two
// frames of the held-out simulator set (seed 14), never trained on nor used to choose the model.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/detect');

interface FixtureImage {
  file: string;
  has_plume: boolean;
  hard_negative: string | null;
  plumes: { box: [number, number, number, number]; source_xy: [number, number] }[];
}

const labels = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'labels.json'), 'utf8')) as {
  images: FixtureImage[];
};
const withPlumes = labels.images.filter((image) => image.has_plume);
const negatives = labels.images.filter((image) => !image.has_plume);
const toBox = ([x0, y0, x1, y1]: [number, number, number, number]): Box => ({ x0, y0, x1, y1 });

describe('the real dust-plume model on the fixture images', () => {
  let detector: Detector;
  beforeAll(async () => {
    detector = await loadDetector({ threads: 2 });
  });
  afterAll(() => detector.close());

  it('has 5 plume images and 5 hard negatives to look at', () => {
    expect(withPlumes).toHaveLength(5);
    expect(negatives).toHaveLength(5);
    expect(negatives.every((image) => image.hard_negative)).toBe(true);
  });

  for (const image of withPlumes) {
    it(`finds a labelled plume in ${image.file} (box IoU ≥ 0.3)`, async () => {
      const { plumes } = await detector.detectImage(path.join(FIXTURES, image.file));
      const ious = image.plumes.flatMap((label) =>
        plumes.map((plume) => boxIou(plume.box, toBox(label.box))),
      );
      expect(Math.max(0, ...ious)).toBeGreaterThanOrEqual(0.3);
      for (const plume of plumes) {
        expect(plume.peakScore).toBeGreaterThanOrEqual(detector.spec.threshold);
        const { x, y } = plume.sourcePx;
        expect(x >= plume.box.x0 && x <= plume.box.x1 && y >= plume.box.y0 && y <= plume.box.y1).toBe(true);
      }
    });
  }

  for (const image of negatives) {
    it(`finds nothing in ${image.file}`, async () => {
      const { plumes } = await detector.detectImage(path.join(FIXTURES, image.file));
      expect(plumes).toEqual([]);
    });
  }
});

describe('the real model against a description that does not fit it', () => {
  it('says which shape it expected and which it found, in one line', async () => {
    const card = JSON.parse(fs.readFileSync(DEFAULT_MODEL_PATH.replace(/\.onnx$/, '.json'), 'utf8'));
    card.input.shape = ['batch', 3, 320, 320];
    const specPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-card-')), 'card.json');
    fs.writeFileSync(specPath, JSON.stringify(card));
    await expect(loadDetector({ specPath })).rejects.toThrow(
      `${DEFAULT_MODEL_PATH}: input 'image' has shape [batch, 3, 256, 256], expected [batch, 3, 320, 320] (${specPath})`,
    );
    fs.rmSync(path.dirname(specPath), { recursive: true });
  });
});
