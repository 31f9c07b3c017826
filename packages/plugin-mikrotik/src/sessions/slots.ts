/**
 * The `/interface` rows of one router's sessions, found poll after poll without hashing every
 * row's name: each `<SERVICE-USER>` name has a slot that remembers where its row was last poll,
 * and a row found there (a string comparison) is that name's row. Rows no slot found there (new
 * sessions, moved rows) are looked up by name. The result is the one of `attachInterfaces`
 * (rows.ts): a session gets the LAST row of its name whose type matches; a name two sessions
 * share (one user twice) gives neither of them an interface; no row, no interface.
 */
import type { Row } from '../api/connection.js';
import { isSessionInterface } from '../parts/interfaces.js';
import { ifNameOf, isOwnInterface, type Known, type NameSlot, typeOf } from './rows.js';

const isSessionType = (type: string): boolean => isSessionInterface({ type });

/** The name slots of one router's remembered sessions. */
export class NameSlots {
  readonly #byName = new Map<string, NameSlot>();

  /** The slot of a remembered row's interface name (made with its first row). */
  acquire(k: Known): NameSlot {
    if (k.slot) return k.slot;
    const name = ifNameOf(k);
    let slot = this.#byName.get(name);
    if (!slot) {
      const type = [k.svc, '-in'].join('');
      // A service without session interfaces: nothing to look for where the row was.
      slot = {
        name,
        type: isSessionType(type) ? type : '',
        refs: 0,
        used: 0,
        shared: 0,
        row: -1,
        found: 0,
        hint: -1,
      };
      this.#byName.set(name, slot);
    }
    slot.refs++;
    k.slot = slot;
    return slot;
  }

  /** Lets go of a row that is no longer remembered. */
  release(k: Known): void {
    const slot = k.slot;
    if (!slot) return;
    k.slot = undefined;
    if (--slot.refs === 0) this.#byName.delete(slot.name);
  }

  /**
   * The interface row of each of `rows` (checked rows, each with a slot), or undefined.
   * `poll` is this poll's number (a stamp no earlier call used).
   */
  find(poll: number, rows: readonly Known[], interfaces: readonly Row[]): Array<Row | undefined> {
    const found: Array<Row | undefined> = new Array(rows.length).fill(undefined);
    const n = interfaces.length;
    // Rows found through a slot's hint; the others are looked up by name below.
    const taken = new Uint8Array(n);
    let drift = 0;
    for (const k of rows) {
      const slot = k.slot as NameSlot;
      if (slot.used === poll) {
        slot.shared = poll;
        continue;
      }
      slot.used = poll;
      if (slot.hint < 0) continue;
      // Rows before it came and went: try where the previous slot's row moved to, then its place.
      let j = slot.hint + drift;
      if (!this.#at(interfaces, j, slot)) {
        j = slot.hint;
        if (!this.#at(interfaces, j, slot)) continue;
      }
      drift = j - slot.hint;
      slot.row = j;
      slot.found = poll;
      taken[j] = 1;
    }
    for (let j = 0; j < n; j++) {
      if (taken[j] === 1) continue;
      const r = interfaces[j] as Row;
      if (!isOwnInterface(r)) continue;
      const slot = this.#byName.get(r.name as string);
      if (slot === undefined || slot.used !== poll) continue;
      // The last row of a name wins (RouterOS names are unique; a reply may not be).
      if (slot.found !== poll || j > slot.row) slot.row = j;
      slot.found = poll;
    }
    for (let i = 0; i < rows.length; i++) {
      const k = rows[i] as Known;
      const slot = k.slot as NameSlot;
      if (slot.found !== poll) {
        slot.hint = -1;
        continue;
      }
      slot.hint = slot.row;
      if (slot.shared === poll) continue;
      const row = interfaces[slot.row] as Row;
      if (typeOf(row, k.svc)) found[i] = row;
    }
    return found;
  }

  /** Whether `interfaces[j]` is the row of `slot`'s name and its session type. */
  #at(interfaces: readonly Row[], j: number, slot: NameSlot): boolean {
    const r = interfaces[j];
    return r !== undefined && r.type === slot.type && r.name === slot.name;
  }
}
