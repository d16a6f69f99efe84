import type { HistoryPeriod } from './types.js';

const MS_PER_DAY = 86_400_000;

/** The UTC period a time falls in: `2024-05-03` (day), `2024-W18` (ISO 8601 week), `2024-05` (month). */
export function periodLabel(timeUs: number, period: HistoryPeriod): string {
  const date = new Date(Math.floor(timeUs / 1000));
  if (period === 'day') return date.toISOString().slice(0, 10);
  if (period === 'month') return date.toISOString().slice(0, 7);
  const dayMs = Math.floor(date.getTime() / MS_PER_DAY) * MS_PER_DAY;
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0
  // The ISO week belongs to the year of its Thursday.
  const thursday = new Date(dayMs + (3 - weekday) * MS_PER_DAY);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * MS_PER_DAY));
  return `${year}-W${String(week).padStart(2, '0')}`;
}
