import type { Feature, FeatureCollection, Point } from 'geojson';
import { type AlertFields, alertFields } from './export-fields.js';
import type { Alert } from './types.js';
import { writeFileAtomic } from './write-file.js';

/** Alerts as GeoJSON points (lon, lat) with their fields as properties. */
export function alertsToGeoJson(alerts: readonly Alert[]): FeatureCollection<Point, AlertFields> {
  return {
    type: 'FeatureCollection',
    features: alerts.map(
      (a): Feature<Point, AlertFields> => ({
        type: 'Feature',
        id: a.code,
        geometry: { type: 'Point', coordinates: [a.lonDeg, a.latDeg] },
        properties: alertFields(a),
      }),
    ),
  };
}

export function writeAlertsGeoJson(file: string, alerts: readonly Alert[]): void {
  writeFileAtomic(file, `${JSON.stringify(alertsToGeoJson(alerts), null, 1)}\n`);
}
