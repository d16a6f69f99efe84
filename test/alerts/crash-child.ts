// Run by crash.test.ts: raises alerts one by one into the store at argv[2], printing each alert's id
// once raise() has returned (so once it is committed), until it is killed.
import { AlertService, openAlertStore } from '../../src/alerts/index.js';
import { DAY_US, sighting, smallSites, T0_US } from './sightings.js';

const store = openAlertStore(process.argv[2]);
const service = new AlertService({ store, sites: await smallSites() });
service.registerFlight({ id: 'F-1', name: 'crash test' });
for (let i = 0; i < 100_000; i++) {
  // A day apart: each sighting is a new alert; every third one is seen again (an update).
  const { alert } = await service.raise(sighting({ firstSeenUs: T0_US + i * DAY_US }));
  if (i % 3 === 0) await service.raise(sighting({ firstSeenUs: T0_US + i * DAY_US + 60e6 }));
  process.stdout.write(`${alert.id}\n`);
}
