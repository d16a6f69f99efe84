import { afterEach, describe, expect, it } from 'vitest';
import { MissionServer, MissionType, uploadAndVerifyMission } from '../../src/mavlink/index.js';
import { type LinkPair, openLinkPair } from '../helpers/link-pair.js';
import { patrolItems } from './mission-items.js';

describe('mission transfer over a faulty link', () => {
  let pair: LinkPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('uploads and reads back 300 items with 10 % loss each way', async () => {
    pair = await openLinkPair({ lossIn: 0.1, lossOut: 0.1 }, 7);
    const server = new MissionServer(pair.vehicle);
    const items = patrolItems(300);

    const back = await uploadAndVerifyMission(pair.gcs, pair.target, items);

    expect(back).toEqual(items);
    expect(server.items(MissionType.Mission)).toEqual(items);
    server.close();
  });
});
