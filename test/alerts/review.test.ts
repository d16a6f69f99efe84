import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Alert,
  AlertService,
  type AlertStore,
  alertsToCsv,
  openAlertStore,
  type Reviewer,
  type ReviewResult,
  reviewInputOfBody,
} from '../../src/alerts/index.js';
import { UserError } from '../../src/errors.js';
import { DAY_US, sighting, smallSites, T0_US, tempDir } from './sightings.js';

let dir: string;
let file: string;
let store: AlertStore;
let service: AlertService;
let alerts: Alert[];
/** Wall clock of the service, stepped by hand: each review a minute after the one before. */
let nowUs = T0_US + 10 * DAY_US;

beforeAll(async () => {
  dir = tempDir('alerts-review');
  file = path.join(dir, 'reviews.db');
  store = openAlertStore(file);
  service = new AlertService({ store, sites: await smallSites(), nowUs: () => nowUs });
  alerts = [];
  for (let day = 0; day < 3; day++) {
    alerts.push((await service.raise(sighting({ firstSeenUs: T0_US + day * DAY_US }))).alert);
  }
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ana: Reviewer = { reviewer: 'Ana Inspector', role: 'reviewer', via: 'api' };
const bo: Reviewer = { reviewer: 'bo', role: null, via: 'cli' };

function review(alertId: number, body: unknown, by: Reviewer = ana): ReviewResult {
  nowUs += 60e6;
  return service.review(alertId, reviewInputOfBody(body), by);
}

describe('reviews of alerts', () => {
  it('confirms and dismisses, each kept with who and when; the latest stands and none is erased', () => {
    const heard: ReviewResult[] = [];
    const stop = service.onReview((r) => heard.push(r));
    const [a1] = alerts as [Alert];
    expect(store.getAlert(a1.id)).toMatchObject({ reviewState: 'pending', review: null });

    const first = review(a1.id, { verdict: 'confirmed', note: 'brown plume over the spoil heap' });
    expect(first.superseded).toBeNull();
    expect(first.review).toMatchObject({
      alertId: a1.id,
      verdict: 'confirmed',
      reason: 'dust',
      note: 'brown plume over the spoil heap',
      reviewer: 'Ana Inspector',
      role: 'reviewer',
      via: 'api',
      createdUs: nowUs,
    });
    expect(first.alert.reviewState).toBe('confirmed');

    const second = review(a1.id, { verdict: 'dismissed', reason: 'haze' }, bo);
    expect(second.superseded).toEqual(first.review);
    expect(store.getAlert(a1.id)).toMatchObject({ reviewState: 'dismissed', review: second.review });
    expect(store.reviewsOf(a1.id)).toEqual([first.review, second.review]);
    expect(heard.map((r) => r.review.verdict)).toEqual(['confirmed', 'dismissed']);
    stop();
    // The alert's facts are as they were.
    expect(store.getAlert(a1.id)).toMatchObject({ frames: a1.frames, updatedUs: a1.updatedUs });
  });

  it('keeps the log whatever asks: the store itself refuses to change or delete a review', () => {
    const db = new Database(file);
    try {
      expect(() => db.prepare("UPDATE reviews SET verdict = 'confirmed', reason = 'dust'").run()).toThrow(
        /reviews are an audit log: a review is never changed/,
      );
      expect(() => db.prepare('DELETE FROM reviews').run()).toThrow(/a review is never deleted/);
      expect(() =>
        db
          .prepare(
            "INSERT INTO reviews (alert_id, verdict, reason, reviewer, via, created_us) VALUES (1, 'confirmed', 'haze', 'x', 'cli', 0)",
          )
          .run(),
      ).toThrow(/CHECK constraint failed/);
    } finally {
      db.close();
    }
    expect(store.reviewsOf(alerts[0]?.id as number)).toHaveLength(2);
  });

  it('lists alerts by review state', () => {
    const [a1, a2, a3] = alerts as [Alert, Alert, Alert];
    review(a2.id, { verdict: 'confirmed' });
    expect(store.listAlerts({ reviewStates: ['pending'] }).map((a) => a.id)).toEqual([a3.id]);
    expect(store.listAlerts({ reviewStates: ['confirmed', 'dismissed'] }).map((a) => a.id)).toEqual([
      a1.id,
      a2.id,
    ]);
    expect(store.listAlerts({ reviewStates: [] })).toEqual([]);
    // The history counts what is not dismissed.
    expect(store.siteHistory('month').map((r) => r.alerts)).toEqual([2]);
    // Exports carry each alert's state and reason (the CSV's last two columns).
    const lines = alertsToCsv(store.listAlerts()).trimEnd().split('\r\n');
    expect(lines.map((l) => l.split(',').slice(-2))).toEqual([
      ['reviewState', 'reviewReason'],
      ['dismissed', 'haze'],
      ['confirmed', 'dust'],
      ['pending', ''],
    ]);
  });

  it('refuses a bad review in one line naming the field, and stores nothing', () => {
    const id = (alerts[2] as Alert).id;
    const cases: [unknown, string][] = [
      [{}, 'body.verdict: missing (confirmed or dismissed)'],
      [{ verdict: 'maybe' }, 'body.verdict: "maybe" is not confirmed or dismissed'],
      [
        { verdict: 'dismissed' },
        'body.reason: missing: why is it not dust (cloud, haze, soil, vehicle, other)?',
      ],
      [
        { verdict: 'dismissed', reason: 'dust' },
        'body.reason: "dust" is not a reason to dismiss (cloud, haze, soil, vehicle, other)',
      ],
      [{ verdict: 'confirmed', reason: 'cloud' }, 'body.reason: a confirmed alert is dust, not "cloud"'],
      [{ verdict: 'confirmed', note: 7 }, 'body.note: expected text, not number'],
      [{ verdict: 'confirmed', note: 'x'.repeat(2001) }, 'body.note: 2001 characters, at most 2000'],
      [{ verdict: 'confirmed', note: 'a\u001b[2Jb' }, 'body.note: control characters are not allowed'],
      [{ verdict: 'confirmed', by: 'me' }, 'body: unknown field "by"'],
      [['confirmed'], 'body: expected a JSON object'],
    ];
    for (const [body, message] of cases) {
      expect(() => reviewInputOfBody(body), JSON.stringify(body)).toThrow(message);
    }
    expect(() => service.review(9999, { verdict: 'confirmed', reason: 'dust', note: '' }, ana)).toThrow(
      new UserError(`A-009999: no such alert in ${file}`),
    );
    expect(() =>
      service.review(id, { verdict: 'confirmed', reason: 'dust', note: '' }, { ...ana, reviewer: ' ' }),
    ).toThrow('reviewer: a name of 1 to 100 printable characters');
    expect(store.reviewsOf(id)).toEqual([]);
  });
});
