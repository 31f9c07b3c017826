/** RouterOS durations (`1w2d3h4m5s`) in seconds, parsed independently of the emulator's formatter. */
export function parseDurationForTest(text: string): number {
  const units: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+)([wdhms])/g))
    total += Number(n) * (units[u as string] as number);
  return total;
}
