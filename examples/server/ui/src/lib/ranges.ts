// Time ranges offered by the charts, with a step that keeps each chart at a few hundred points.

/** A selectable time range. */
export interface RangeChoice {
  value: string;
  label: string;
  from: string;
  step: string;
}

/** Ranges of the range pickers, shortest first. */
export const RANGES: RangeChoice[] = [
  { value: '1h', label: '1h', from: '-1h', step: '30s' },
  { value: '6h', label: '6h', from: '-6h', step: '2m' },
  { value: '24h', label: '24h', from: '-24h', step: '5m' },
  { value: '7d', label: '7d', from: '-7d', step: '30m' },
  { value: '30d', label: '30d', from: '-30d', step: '2h' },
];

/** The range for a picker value (defaults to 24 h). */
export function rangeFor(value: string | null | undefined): RangeChoice {
  return RANGES.find((r) => r.value === value) ?? (RANGES[2] as RangeChoice);
}

/**
 * The range of a history page's `?range=` (subscriber, IP, MAC), 30 days by default: the help
 * desk asks "since when has it been bad?".
 */
export function historyRange(value: string | null | undefined): RangeChoice {
  return RANGES.find((r) => r.value === (value ?? '30d')) ?? (RANGES.at(-1) as RangeChoice);
}
