import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { loadWorld } from '../../../src/sim/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';

function writeWorld(content: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'world-')), 'world.geojson');
  fs.writeFileSync(file, content);
  return file;
}

const plume = (properties: object, coordinates: unknown = [113.6316, 34.7261]) => ({
  type: 'Feature',
  properties: { kind: 'plume', ...properties },
  geometry: { type: 'Point', coordinates },
});

async function problem(content: string): Promise<string> {
  const file = writeWorld(content);
  const err = await loadWorld(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).message.replace(file, 'FILE');
}

describe('world file', () => {
  it('reads the demo world: sites, plumes in their sites, seed and wind', async () => {
    const world = await loadWorld(path.join(REPO_ROOT, 'missions/demo-world.geojson'));
    expect(world.seed).toBe(7);
    expect(world.sites.map((s) => s.id)).toEqual(['D-01', 'D-02', 'D-03', 'D-04', 'D-05']);
    expect(world.plumes.map((p) => [p.id, p.siteId])).toEqual([
      ['P-D01-excavation', 'D-01'],
      ['P-D02-stockpile', 'D-02'],
      ['P-D05-demolition', 'D-05'],
      ['P-D04-haul-road', 'D-04'],
    ]);
    expect(world.plumes[3]).toMatchObject({ startS: 60, endS: 600 });
    expect(world.plumes[0]).toMatchObject({
      lengthM: 35,
      windFromDeg: 250,
      startS: -Infinity,
      endS: Infinity,
    });
  });

  it('takes a world of plumes alone, with defaults', async () => {
    const world = await loadWorld(
      writeWorld(JSON.stringify({ type: 'FeatureCollection', features: [plume({ id: 'P' })] })),
      { windFromDeg: 90 },
    );
    expect(world.plumes[0]).toMatchObject({
      id: 'P',
      lengthM: 30,
      opacity: 0.8,
      windFromDeg: 90,
      siteId: null,
    });
    expect(world.seed).toBe(1);
  });

  it('names the file, the feature and the field of each mistake', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-world.geojson');
    await expect(loadWorld(missing)).rejects.toThrow(`${missing}: no such world file`);
    expect(await problem('{"type": "FeatureCollection", "features": [}')).toMatch(
      /^FILE: invalid JSON at line 1, column 44/,
    );
    const fc = (...features: object[]) => JSON.stringify({ type: 'FeatureCollection', features });
    expect(await problem(fc(plume({ id: 'P' }, null)))).toBe(
      'FILE: feature 0: a plume needs coordinates [lon, lat]',
    );
    expect(await problem(fc(plume({ id: 'A' }), plume({ id: 'B', opacity: 1.5 })))).toBe(
      "FILE: feature 1 (plume 'B'): opacity must be a peak opacity from 0.45 to 0.95, got 1.5",
    );
    expect(await problem(fc(plume({ id: 'A', lengthM: 'long' })))).toBe(
      'FILE: feature 0 (plume \'A\'): lengthM must be metres from 2 to 500, got "long"',
    );
    expect(await problem(fc(plume({ opacity: 0.5 })))).toBe(
      'FILE: feature 0: a plume needs an id (a string)',
    );
    expect(await problem(JSON.stringify({ type: 'FeatureCollection', seed: 1.5, features: [] }))).toBe(
      'FILE: seed must be a whole number from 0 to 2^31-1, got 1.5',
    );
    // A site problem names the feature's index in the world file, plumes counted.
    const badSite = {
      type: 'Feature',
      properties: { id: 'S' },
      geometry: { type: 'Point', coordinates: [0, 0] },
    };
    expect(await problem(fc(plume({ id: 'A' }), badSite))).toMatch(/\n {2}FILE: feature 1 \(id 'S'\): /);
  });
});
