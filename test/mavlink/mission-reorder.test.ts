import { afterEach, describe, expect, it } from 'vitest';
import { MissionServer, MissionType, uploadAndVerifyMission } from '../../src/mavlink/index.js';
import { type LinkPair, openLinkPair } from '../helpers/link-pair.js';
import { patrolItems } from './mission-items.js';

// Apart from the lossy test: with up to 60 ms round trips a 300-item upload and read-back takes ~20 s.
describe('mission transfer over a link that duplicates and reorders', () => {
  let pair: LinkPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('uploads and reads back 300 items with 20 % duplicates and 30 ms jitter', async () => {
    pair = await openLinkPair({ duplicate: 0.2, jitterMs: 30 }, 11);
    const server = new MissionServer(pair.vehicle);
    const items = patrolItems(300);

    const back = await uploadAndVerifyMission(pair.gcs, pair.target, items);

    expect(back).toEqual(items);
    expect(server.items(MissionType.Mission)).toEqual(items);
    server.close();
  });
});
