import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { registryFromFeatures, type SiteRegistry } from '../../src/sites/index.js';
import { MAX_POINTS_PER_RING } from '../../src/sites/limits.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/sites');

// biome-ignore lint/suspicious/noExplicitAny: test features are edited freely before loading
type Json = any;

const readFeatures = (name: string): Json[] =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')).features;
const SITES = readFeatures('small-sites.geojson');
const AIRSPACE = readFeatures('small-airspace.geojson');

/** Loads the small fixture as `sites.geojson` (and its airspace as `air.geojson`) after `edit`. */
function load(edit: (features: Json[]) => void = () => {}, withAirspace = true): SiteRegistry {
  const features = structuredClone(SITES);
  edit(features);
  const contents = [{ source: 'sites.geojson', features }];
  if (withAirspace) contents.push({ source: 'air.geojson', features: structuredClone(AIRSPACE) });
  return registryFromFeatures(contents);
}

function errorOf(edit: (features: Json[]) => void, withAirspace = true): string {
  try {
    load(edit, withAirspace);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected the site file to be refused');
}

/** A small square ring around (lon, lat), `halfDeg` across each way, counter-clockwise and closed. */
function square(lon: number, lat: number, halfDeg: number): number[][] {
  return [
    [lon - halfDeg, lat - halfDeg],
    [lon + halfDeg, lat - halfDeg],
    [lon + halfDeg, lat + halfDeg],
    [lon - halfDeg, lat + halfDeg],
    [lon - halfDeg, lat - halfDeg],
  ];
}

/** A closed ring of `n` points on a circle of `radiusDeg` around (lon, lat), counter-clockwise. */
function circle(lon: number, lat: number, radiusDeg: number, n: number): number[][] {
  const ring = Array.from({ length: n }, (_, k) => {
    const a = (2 * Math.PI * k) / n;
    return [lon + radiusDeg * Math.cos(a), lat + radiusDeg * Math.sin(a)];
  });
  ring.push(ring[0]);
  return ring;
}

describe('site file validation names the file, the feature (index and id) and the problem', () => {
  it('accepts the fixture as it is', () => {
    const registry = load();
    expect(registry.sites.map((s) => s.id)).toEqual(['S-1', 'S-2', 'S-3', 'S-4']);
    expect(registry.warnings).toEqual([]);
  });

  it('refuses a ring that is not closed', () => {
    expect(errorOf((f) => f[0].geometry.coordinates[0].pop())).toBe(
      "sites.geojson: feature 0 (id 'S-1'): ring 0 is not closed: it starts at [113.62, 34.73] but ends at [113.621093, 34.73]",
    );
  });

  it('refuses a ring that crosses itself, saying where', () => {
    const message = errorOf((f) => {
      const ring = f[0].geometry.coordinates[0];
      [ring[1], ring[2]] = [ring[2], ring[1]];
    });
    expect(message).toBe(
      "sites.geojson: feature 0 (id 'S-1'): ring 0 crosses itself at [113.6205465, 34.7303594]",
    );
  });

  it('refuses a ring with fewer than three distinct points', () => {
    const message = errorOf((f) => {
      const [a, b] = f[0].geometry.coordinates[0];
      f[0].geometry.coordinates[0] = [a, b, b, a];
    });
    expect(message).toBe(
      "sites.geojson: feature 0 (id 'S-1'): ring 0 has 2 distinct points; a ring needs at least 3",
    );
  });

  it('refuses a ring whose points lie on one line', () => {
    const message = errorOf((f) => {
      f[0].geometry.coordinates[0] = [
        [113.62, 34.73],
        [113.621, 34.73],
        [113.622, 34.73],
        [113.62, 34.73],
      ];
    });
    expect(message).toBe(
      "sites.geojson: feature 0 (id 'S-1'): ring 0 encloses no area (its points lie on one line)",
    );
  });

  it('refuses a hole outside its outer ring, and one crossing it', () => {
    expect(errorOf((f) => (f[2].geometry.coordinates[1] = square(113.63, 34.73, 0.0002).reverse()))).toBe(
      "sites.geojson: feature 2 (id 'S-3'): ring 1 (a hole) lies outside ring 0",
    );
    const crossing = errorOf((f) => {
      const [lon, lat] = f[2].geometry.coordinates[0][0];
      f[2].geometry.coordinates[1] = square(lon, lat, 0.0001).reverse();
    });
    expect(crossing).toBe(
      "sites.geojson: feature 2 (id 'S-3'): ring 1 (a hole) crosses ring 0 at [113.62, 34.7318966]",
    );
  });

  it('refuses MultiPolygon parts that overlap', () => {
    const message = errorOf((f) => {
      const [first] = f[3].geometry.coordinates;
      const [lon, lat] = first[0][2];
      f[3].geometry.coordinates[1] = [square(lon, lat, 0.0001)];
    });
    expect(message).toBe("sites.geojson: feature 3 (id 'S-4'): polygon 1 overlaps polygon 0");
  });

  it('refuses coordinates out of range', () => {
    expect(errorOf((f) => (f[1].geometry.coordinates[0][2] = [213.6, 34.7]))).toBe(
      "sites.geojson: feature 1 (id 'S-2'): ring 0 point 2 [213.6, 34.7] is out of range (longitude -180..180, latitude -90..90)",
    );
    expect(errorOf((f) => (f[1].geometry.coordinates[0][3] = [113.6, 'north']))).toBe(
      "sites.geojson: feature 1 (id 'S-2'): ring 0 point 3 is not a [longitude, latitude] pair of numbers",
    );
  });

  it('refuses latitude and longitude swapped, when the latitude is out of range', () => {
    const message = errorOf((f) => {
      f[1].geometry.coordinates[0] = f[1].geometry.coordinates[0].map(([lon, lat]: number[]) => [lat, lon]);
    });
    expect(message).toBe(
      "sites.geojson: feature 1 (id 'S-2'): ring 0 point 0 [34.73, 113.6221861] has latitude 113.6221861: " +
        'longitude and latitude look swapped (GeoJSON order is [longitude, latitude])',
    );
  });

  it('refuses latitude and longitude swapped, when that puts the feature far from all the others', () => {
    // Berlin, where both orders are valid coordinates: swapped, a site lands in Ethiopia.
    const site = (id: string, ring: number[][]) => ({
      type: 'Feature',
      properties: { id, name: id },
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
    const features = [
      site('B-1', square(13.4, 52.5, 0.001)),
      site('B-2', square(13.41, 52.51, 0.001)),
      site('B-3', square(52.52, 13.42, 0.001)),
      site('B-4', square(13.43, 52.49, 0.001)),
    ];
    expect(() => registryFromFeatures([{ source: 'berlin.geojson', features }])).toThrow(
      "berlin.geojson: feature 2 (id 'B-3'): longitude and latitude look swapped: as given it lies 5552 km " +
        'from the other features, swapped it lies among them (GeoJSON order is [longitude, latitude])',
    );
  });

  it('warns about a feature far from all the others that swapping would not explain', () => {
    const registry = load((f) => {
      f[3].geometry = { type: 'Polygon', coordinates: [square(114.3, 30.6, 0.0005)] };
    }, false);
    expect(registry.warnings).toEqual([
      "sites.geojson: feature 3 (id 'S-4'): lies 464 km from the other features",
    ]);
  });

  it('refuses a duplicate id, naming the feature that has it first', () => {
    expect(errorOf((f) => (f[2].properties.id = 'S-1'))).toBe(
      "sites.geojson: feature 2 (id 'S-1'): duplicate id: feature 0 of sites.geojson has it too",
    );
  });

  it('refuses a duplicate id across files', () => {
    expect(errorOf((f) => (f[0].properties.id = 'NF-1'))).toBe(
      "air.geojson: feature 0 (id 'NF-1'): duplicate id: feature 0 of sites.geojson has it too",
    );
  });

  it('refuses empty geometry', () => {
    expect(errorOf((f) => (f[2].geometry = null))).toBe(
      "sites.geojson: feature 2 (id 'S-3'): empty geometry (null)",
    );
    expect(errorOf((f) => (f[2].geometry.coordinates = []))).toBe(
      "sites.geojson: feature 2 (id 'S-3'): empty geometry (no coordinates)",
    );
    expect(errorOf((f) => (f[3].geometry.coordinates[1] = []))).toBe(
      "sites.geojson: feature 3 (id 'S-4'): polygon 1 is empty (no rings)",
    );
  });

  it('refuses a geometry of the wrong type for its kind', () => {
    expect(errorOf((f) => (f[2].geometry = { type: 'LineString', coordinates: [[113.62, 34.73]] }))).toBe(
      'sites.geojson: feature 2 (id \'S-3\'): a site needs a Polygon or MultiPolygon geometry, got "LineString"',
    );
    expect(errorOf((f) => (f[4].geometry = structuredClone(f[0].geometry)))).toBe(
      'sites.geojson: feature 4 (id \'L-1\'): a launch point needs a Point geometry, got "Polygon"',
    );
  });

  it('refuses an unknown kind', () => {
    expect(errorOf((f) => (f[2].properties.kind = 'parking'))).toBe(
      'sites.geojson: feature 2 (id \'S-3\'): unknown kind "parking" (expected one of site, no-fly, operating-area, launch)',
    );
  });

  it('refuses an unknown pattern', () => {
    expect(errorOf((f) => (f[2].properties.pattern = 'spiral'))).toBe(
      "sites.geojson: feature 2 (id 'S-3'): property 'pattern' must be one of perimeter, coverage, point, got \"spiral\"",
    );
  });

  it('refuses missing ids and names and properties of the wrong type, all at once', () => {
    const message = errorOf((f) => {
      delete f[1].properties.id;
      delete f[2].properties.name;
      f[2].properties.risk = 3;
      f[3].properties.id = { text: 'S-4' };
    });
    expect(message).toBe(
      [
        '4 problems in the site files:',
        '  sites.geojson: feature 1: a site needs an id',
        "  sites.geojson: feature 2 (id 'S-3'): property 'name' is missing",
        "  sites.geojson: feature 2 (id 'S-3'): property 'risk' must be text or null, got 3",
        '  sites.geojson: feature 3: id {"text":"S-4"} must be non-empty text or a whole number',
      ].join('\n'),
    );
  });

  it('refuses something that is not a Feature', () => {
    expect(errorOf((f) => (f[1] = { type: 'Polygon', coordinates: [] }))).toBe(
      'sites.geojson: feature 1: is not a GeoJSON Feature (type "Polygon")',
    );
  });

  it('refuses a site wholly inside a no-fly zone', () => {
    const message = errorOf((f) => {
      f[2].geometry.coordinates = [square(113.6248, 34.7303, 0.0001)];
    });
    expect(message).toBe(
      "sites.geojson: feature 2 (id 'S-3'): the site lies wholly inside no-fly zone 'NF-1' (School)",
    );
  });

  it('warns about a site partly inside a no-fly zone, with the overlap', () => {
    const registry = load((f) => {
      f[2].geometry.coordinates = [square(113.6242, 34.7303, 0.0003)];
    });
    expect(registry.warnings).toEqual([
      "sites.geojson: feature 2 (id 'S-3'): the site overlaps no-fly zone 'NF-1' (School) by 0.08 ha; patterns must keep out of it",
    ]);
    expect(registry.sites.map((s) => s.id)).toContain('S-3');
  });

  it('refuses a site outside the operating area, or reaching out of it', () => {
    expect(errorOf((f) => (f[2].geometry.coordinates = [square(113.634, 34.73, 0.0003)]))).toBe(
      "sites.geojson: feature 2 (id 'S-3'): the site lies outside the operating area",
    );
    expect(errorOf((f) => (f[2].geometry.coordinates = [square(113.6287, 34.73, 0.0003)]))).toBe(
      "sites.geojson: feature 2 (id 'S-3'): the site extends outside the operating area",
    );
  });

  it('refuses a launch point outside the operating area or inside a no-fly zone', () => {
    expect(errorOf((f) => (f[4].geometry.coordinates = [113.64, 34.73, 105]))).toBe(
      "sites.geojson: feature 4 (id 'L-1'): the launch point lies outside the operating area",
    );
    expect(errorOf((f) => (f[4].geometry.coordinates = [113.6248, 34.7303, 105]))).toBe(
      "sites.geojson: feature 4 (id 'L-1'): the launch point lies inside no-fly zone 'NF-1' (School)",
    );
  });

  it('loads a site however large: whether it fits a battery is the planner’s question', () => {
    // 0.06 degrees square here is 5.5 km east-west by 6.7 km north-south.
    const registry = load((f) => (f[2].geometry.coordinates = [square(113.63, 34.73, 0.03)]), false);
    expect(registry.sites.map((s) => s.id)).toContain('S-3');
  });

  it('accepts a surveyed outline of 200 000 points, and finds the one crossing in it where it is', () => {
    const outline = circle(113.63, 34.73, 0.003, 200_000);
    expect(load((f) => (f[2].geometry.coordinates = [outline]), false).sites.map((s) => s.id)).toContain(
      'S-3',
    );
    // Swap two points far into the ring: edges 99 999 and 100 001 now cross, between points 100 000 and 100 001.
    const crossed = outline.map((p) => [...p]);
    [crossed[100_000], crossed[100_001]] = [crossed[100_001], crossed[100_000]];
    const message = errorOf((f) => (f[2].geometry.coordinates = [crossed]), false);
    const at = message.match(/ring 0 crosses itself at \[(.+), (.+)\]$/);
    expect(message).toMatch(/^sites\.geojson: feature 2 \(id 'S-3'\): ring 0 crosses itself at /);
    const [lon, lat] = [Number(at?.[1]), Number(at?.[2])];
    expect(Math.abs(lon - (crossed[100_000][0] + crossed[100_001][0]) / 2)).toBeLessThan(1e-6);
    expect(Math.abs(lat - (crossed[100_000][1] + crossed[100_001][1]) / 2)).toBeLessThan(1e-6);
  });

  it('refuses a ring with more points than a site file may hold, naming the file, feature and ring', () => {
    const outline = circle(113.63, 34.73, 0.003, MAX_POINTS_PER_RING + 1);
    expect(errorOf((f) => (f[2].geometry.coordinates = [outline]), false)).toBe(
      `sites.geojson: feature 2 (id 'S-3'): ring 0 has ${MAX_POINTS_PER_RING + 2} points; a ring may have at most ${MAX_POINTS_PER_RING}`,
    );
  });

  it('refuses a launch point whose altitude is given twice, differently', () => {
    expect(errorOf((f) => (f[4].properties.altAmslM = 100))).toBe(
      "sites.geojson: feature 4 (id 'L-1'): altitude 105 m in the coordinates differs from altAmslM 100 m",
    );
  });

  it('refuses a second operating area', () => {
    const message = errorOf((f) =>
      f.push({ ...structuredClone(AIRSPACE[1]), properties: { kind: 'operating-area' } }),
    );
    expect(message).toBe(
      "air.geojson: feature 1 (id 'OA'): a second operating area (the first is sites.geojson: feature 5); " +
        'give one, a MultiPolygon if it has parts',
    );
  });

  it('refuses files with no sites', () => {
    expect(() =>
      registryFromFeatures([{ source: 'air.geojson', features: structuredClone(AIRSPACE) }]),
    ).toThrow('air.geojson: no sites (a feature is a site unless its kind property says otherwise)');
  });

  it('lists the first ten problems of many in one error, in file and feature order', () => {
    // Four bad patterns a copy, three copies; the two later copies repeat five ids each.
    const message = errorOf((f) => {
      for (const feature of f) feature.properties.pattern = 'spiral';
      f.push(...structuredClone(f), ...structuredClone(f));
    });
    const lines = message.split('\n');
    expect(lines[0]).toBe('22 problems in the site files:');
    expect(lines).toHaveLength(12);
    expect(lines[1]).toBe(
      "  sites.geojson: feature 0 (id 'S-1'): property 'pattern' must be one of perimeter, coverage, point, got \"spiral\"",
    );
    expect(lines[11]).toBe('  ... and 12 more');
  });
});
