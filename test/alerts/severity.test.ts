import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES as R, severityOf } from '../../src/alerts/index.js';

describe('severity from footprint and opacity', () => {
  it('is low for a small faint plume, high for a large dense one', () => {
    expect(severityOf(20, 0.4, R)).toBe('low');
    expect(severityOf(2000, 0.95, R)).toBe('high');
  });

  it('adds the area band and the opacity band', () => {
    const small = R.areaMediumM2 / 2;
    const medium = R.areaMediumM2;
    const large = R.areaLargeM2;
    const faint = R.scoreModerate - 0.01;
    const moderate = R.scoreModerate;
    const dense = R.scoreDense;
    expect(severityOf(small, moderate, R)).toBe('low');
    expect(severityOf(medium, faint, R)).toBe('low');
    expect(severityOf(small, dense, R)).toBe('medium');
    expect(severityOf(medium, moderate, R)).toBe('medium');
    expect(severityOf(large, faint, R)).toBe('medium');
    expect(severityOf(medium, dense, R)).toBe('high');
    expect(severityOf(large, moderate, R)).toBe('high');
  });

  it('judges an unknown footprint on opacity alone', () => {
    expect(severityOf(null, 0.3, R)).toBe('low');
    expect(severityOf(null, R.scoreModerate, R)).toBe('medium');
    expect(severityOf(null, R.scoreDense, R)).toBe('high');
  });
});
