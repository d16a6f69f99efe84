import { describe, expect, it } from 'vitest';
import { generateWorld, parseWorld, worldSites } from '../../../src/sim/camera/index.js';
import { registryFromFeatures } from '../../../src/sites/index.js';

const HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };
const spec = { seed: 5, home: HOME, windFromDeg: 135, plumeLengthsM: [15, 30, 45, 60] };

describe('generateWorld', () => {
  it('makes the same world from the same seed: one site per plume, each plume in its site, in the wind', () => {
    const doc = generateWorld(spec);
    expect(generateWorld(spec)).toEqual(doc);
    expect(generateWorld({ ...spec, seed: 6 })).not.toEqual(doc);
    const world = parseWorld(JSON.parse(JSON.stringify(doc)), 'generated');
    expect(world.windFromDeg).toBe(135);
    expect(world.sites).toHaveLength(4);
    expect(world.plumes.map((p) => p.lengthM)).toEqual([15, 30, 45, 60]);
    expect(world.plumes.map((p) => p.siteId)).toEqual(world.sites.map((s) => s.id));
    expect(world.plumes.every((p) => p.windFromDeg === 135)).toBe(true);
  });

  it('gives a site file without the plumes', () => {
    const sites = worldSites(generateWorld(spec));
    const registry = registryFromFeatures([{ source: 'sites', features: sites.features as unknown[] }]);
    expect(registry.sites.map((s) => s.id)).toEqual(['G-01', 'G-02', 'G-03', 'G-04']);
    expect(registry.launchPoints).toHaveLength(1);
  });
});
