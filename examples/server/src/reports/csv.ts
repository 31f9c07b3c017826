/**
 * CSV of the report (RFC 4180): every field quoted when it holds a comma, quote, CR or LF, quotes
 * doubled, CRLF line ends. Text that a spreadsheet would run as a formula (starting with `=`, `+`,
 * `-`, `@`, tab or CR) is prefixed with `'` — router names and reasons come from devices and users.
 */

/** One CSV field, safe for spreadsheets. Numbers are written as they are (a negative stays a number). */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A whole CSV document: a header row and the rows, CRLF-terminated. */
export function csv(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>,
): string {
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) lines.push(r.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** ISO time in UTC, or empty. */
export const isoOrEmpty = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/** A ratio as a percentage with 4 decimals, cut (99.99996 % is not 100 %), or empty when unknown. */
export const percent = (ratio: number | null): number | null =>
  ratio === null ? null : Math.floor(ratio * 1_000_000) / 10_000;

/** A file name part from user-given text: letters, digits, dot, dash and underscore only. */
export const fileNamePart = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
