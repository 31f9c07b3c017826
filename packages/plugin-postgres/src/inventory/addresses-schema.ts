/**
 * Migration 6: the addresses of interfaces, with history like `ispm_interfaces` (a row is current
 * while `ended_at` is NULL). Written by `recordFacts` (`./addresses.ts`), read by the search and
 * the IP history.
 *
 * `address` is the host address alone (`/32`, `/128`) and the prefix length is its own column:
 * an inet with a mask compares by network first, then by mask, so `10.0.0.1/24` is neither
 * equal to `10.0.0.1` nor inside a range of host addresses. Stored bare, the one btree on
 * `address` serves an exact address and a block (`>= lo AND <= hi`) as the other tables' do.
 */
import type { Migration } from '../schema/migrations.js';

/** Version 6: interface addresses. */
export const interfaceAddresses: Migration = {
  version: 6,
  name: 'interface addresses',
  statements: [
    `CREATE TABLE ispm_interface_addresses (
       device text NOT NULL,
       if_index text NOT NULL,
       address inet NOT NULL,
       prefix_len smallint NOT NULL,
       first_seen timestamptz NOT NULL,
       last_seen timestamptz NOT NULL,
       ended_at timestamptz)`,
    `CREATE UNIQUE INDEX ispm_interface_addresses_current ON ispm_interface_addresses (device, if_index, address)
       WHERE ended_at IS NULL`,
    'CREATE INDEX ispm_interface_addresses_address ON ispm_interface_addresses (address)',
  ],
};
