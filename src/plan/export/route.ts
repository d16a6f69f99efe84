import type { SiteRegistry } from '../../sites/index.js';
import type { LatLon } from '../formats/mission-plan.js';
import type { Sortie } from '../types.js';

/** The ground track a sortie flies: up from the launch point, every waypoint, back down to it. */
export function routeTrack(sortie: Sortie): LatLon[] {
  return [sortie.launch, ...sortie.waypoints, sortie.launch];
}

/** The sites a sortie visits, in visit order, each once. */
export function visitedSites(sortie: Sortie, registry: Pick<SiteRegistry, 'sites'>): SiteRegistry['sites'] {
  const ids = [...new Set(sortie.visits.map((visit) => visit.siteId))];
  return ids.flatMap((id) => registry.sites.filter((site) => site.id === id));
}
