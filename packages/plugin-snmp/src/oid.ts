/**
 * OID helpers that work on dotted strings without allocating arrays, because the walker compares
 * every varbind it receives and that comparison is on the hot path.
 */

/**
 * Compares two dotted OIDs numerically, arc by arc: negative when `a` sorts before `b`, 0 when
 * equal, positive after. A prefix sorts before its extensions (`1.3` < `1.3.0`). `from` skips a
 * prefix both are known to share up to that position (the start of an arc): the walker compares
 * only the index part of two OIDs of one column.
 */
export function compareOids(a: string, b: string, from = 0): number {
  let i = from;
  let j = from;
  const la = a.length;
  const lb = b.length;
  while (i < la && j < lb) {
    let na = 0;
    let nb = 0;
    let da = 0;
    let db = 0;
    // Arcs can exceed 2^31 (up to 2^32-1), so accumulate in a double, which is exact there.
    while (i < la && a.charCodeAt(i) !== 46) {
      na = na * 10 + (a.charCodeAt(i) - 48);
      i++;
      da++;
    }
    while (j < lb && b.charCodeAt(j) !== 46) {
      nb = nb * 10 + (b.charCodeAt(j) - 48);
      j++;
      db++;
    }
    if (na !== nb) return na < nb ? -1 : 1;
    if (da === 0 || db === 0) return da - db;
    i++;
    j++;
  }
  if (i >= la && j >= lb) return 0;
  return i >= la ? -1 : 1;
}

/** Whether `oid` lies strictly under `prefix` (`1.3.6.1.2` is under `1.3.6.1`, not under itself). */
export function isUnder(oid: string, prefix: string): boolean {
  return oid.length > prefix.length + 1 && oid.charCodeAt(prefix.length) === 46 && oid.startsWith(prefix);
}

/** The index part of `oid` under `column` (`1.3.6.1.2.1.2.2.1.2.7` under `….2` → `7`). */
export function indexOf(oid: string, column: string): string {
  return oid.slice(column.length + 1);
}

/** Whether a string is a dotted numeric OID. */
export function isOid(text: string): boolean {
  return /^\d+(\.\d+)+$/.test(text);
}

/** The arcs of an OID index as numbers (`0.12.118` → `[0, 12, 118]`). */
export function indexArcs(index: string): number[] {
  return index === '' ? [] : index.split('.').map(Number);
}
