/** A flight's id: its vehicle and when it started (UTC to the second), the same on every replay of it. */
export function flightIdAt(sysid: number, startUs: number): string {
  const stamp = new Date(Math.floor(startUs / 1000)).toISOString().replace(/[-:]|\.\d+/g, '');
  return `sys${sysid}-${stamp}`;
}
