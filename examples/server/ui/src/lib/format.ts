// Formatting for people: bits, bytes, durations, percentages, times. No DOM here (unit-tested in Node).

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/** `|value|` divided by `base` while it is `base` or more and a larger unit is left: the figure and the unit's index. */
function scaled(value: number, base: number, units: number): [figure: number, unit: number] {
  let v = Math.abs(value);
  let i = 0;
  while (v >= base && i < units - 1) {
    v /= base;
    i++;
  }
  return [v, i];
}

/** A rate in bits per second with SI prefixes: `1.25 Gb/s`. */
export function formatBps(bps: number | undefined | null): string {
  if (bps === undefined || bps === null || !Number.isFinite(bps)) return '–';
  const [v, i] = scaled(bps, 1000, SI.length);
  const digits = v >= 100 || i === 0 ? 0 : v >= 10 ? 1 : 2;
  return `${bps < 0 ? '-' : ''}${v.toFixed(digits)} ${SI[i]}b/s`;
}

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes with binary prefixes: `512 MiB`. */
export function formatBytes(bytes: number | undefined | null): string {
  if (bytes === undefined || bytes === null || !Number.isFinite(bytes)) return '–';
  const [v, i] = scaled(bytes, 1024, IEC.length);
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${IEC[i]}`;
}

/** A ratio 0..1 as a percentage: `42%`, `<1%` for tiny non-zero values. */
export function formatPercent(ratio: number | undefined | null): string {
  if (ratio === undefined || ratio === null || !Number.isFinite(ratio)) return '–';
  const p = ratio * 100;
  if (p > 0 && p < 1) return '<1%';
  return `${p.toFixed(p >= 10 ? 0 : 1).replace(/\.0$/, '')}%`;
}

/** A duration in seconds, two largest units: `3d 4h`, `5m 12s`, `40s`. */
export function formatDuration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  for (const [name, size] of units) {
    if (rest >= size || (parts.length === 0 && size === 1)) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** How long ago `ts` (epoch ms) was, relative to `now`: `just now`, `5m ago`, `2h 3m ago`. */
export function formatAgo(ts: number | string | undefined, now = Date.now()): string {
  if (ts === undefined) return '–';
  const t = typeof ts === 'string' ? Date.parse(ts) : ts;
  if (!Number.isFinite(t)) return '–';
  const s = Math.round((now - t) / 1000);
  if (s < 5) return 'just now';
  return `${formatDuration(s)} ago`;
}

/** A number with thousands separators. */
export function formatCount(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/** Words people use for the four device states (the API keeps Prometheus-friendly values). */
export const STATUS_LABEL: Record<string, string> = {
  online: 'Up',
  unreachable: 'Unreachable',
  offline: 'Down',
  unknown: 'Unknown',
};

/** Order of severities, most severe first. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/** Rank of a severity for sorting (unknown severities last). */
export function severityRank(severity: string | undefined): number {
  const i = SEVERITIES.indexOf((severity ?? '') as (typeof SEVERITIES)[number]);
  return i === -1 ? SEVERITIES.length : i;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * A moment in local time, as short as stays unambiguous next to `now`: `14:05` today,
 * `3 Dec 14:05` this year, `3 Dec 2025 14:05` before. A help desk matches these to what a caller says.
 */
export function formatTime(ts: number | null | undefined, now = Date.now()): string {
  if (ts === null || ts === undefined || !Number.isFinite(ts)) return '–';
  const d = new Date(ts);
  const n = new Date(now);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  if (d.toDateString() === n.toDateString()) return hm;
  const day = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return d.getFullYear() === n.getFullYear() ? `${day} ${hm}` : `${day} ${d.getFullYear()} ${hm}`;
}
