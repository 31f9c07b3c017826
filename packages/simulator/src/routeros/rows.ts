/** Building reply rows: `.proplist` selection, and the `huge-table` fault's copies. */
import type { Row } from './tables.js';

/** The `!re` words of a row, with only the `.proplist` attributes when one was given. */
export function rowWords(row: Row, proplist: string[] | undefined): string[] {
  const words = ['!re'];
  if (proplist) {
    for (const key of proplist) {
      const v = row[key];
      if (v !== undefined) words.push(`=${key}=${v}`);
    }
  } else {
    for (const key in row) words.push(`=${key}=${row[key]}`);
  }
  return words;
}

/** `count` copies of a table's first row (the `huge-table` fault), with their own ids and names. */
export function inflate(rows: Row[], count: number): Row[] {
  const base = rows[0] ?? { name: 'user', address: '10.0.0.1', status: 'bound', service: 'pppoe' };
  return Array.from({ length: count }, (_, i) => ({
    ...base,
    '.id': `*${(i + 1).toString(16).toUpperCase()}`,
    name: `bulk${i}`,
  }));
}
