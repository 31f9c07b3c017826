/**
 * Migration 5: indexes the fleet-wide search needs beyond migration 4's.
 *
 * - Current interfaces by lower-cased name, alias and description (`text_pattern_ops`: equality
 *   and byte-wise prefix ranges whatever the collation), and by MAC as 12 hex digits (drivers
 *   store it as the device gives it). Without them every search read every interface: at 10,000
 *   routers × 24 interfaces that was most of a search's time. Values are at most 500 characters
 *   (the facts writer cuts them), well under a btree entry's limit.
 * - Trigram indexes for substring matching, where the server offers `pg_trgm` and lets us create
 *   it (PostgreSQL ships it in contrib; it is a trusted extension since 13). Where it is missing
 *   (PGlite without the extension loaded, a locked-down server), the migration still succeeds
 *   and substring matching reads the current rows without an index — the search runs it only
 *   when nothing matched exactly or by prefix.
 */
import type { Migration } from '../schema/migrations.js';

/** The interface text a substring search matches (the trigram index's expression). */
export const IFACE_TEXT = `(lower(name) || ' ' || coalesce(lower(alias), '') || ' ' || coalesce(lower(description), ''))`;
/** An interface's MAC as 12 hex digits (the index's expression). */
export const IFACE_MAC = `regexp_replace(lower(mac), '[^0-9a-f]', '', 'g')`;

/** Version 5: search indexes. */
export const searchIndexes: Migration = {
  version: 5,
  name: 'search indexes',
  statements: [
    'CREATE INDEX ispm_interfaces_name_search ON ispm_interfaces (lower(name) text_pattern_ops) WHERE ended_at IS NULL',
    'CREATE INDEX ispm_interfaces_alias_search ON ispm_interfaces (lower(alias) text_pattern_ops) WHERE ended_at IS NULL',
    `CREATE INDEX ispm_interfaces_description_search ON ispm_interfaces (lower(description) text_pattern_ops)
       WHERE ended_at IS NULL`,
    `CREATE INDEX ispm_interfaces_mac_search ON ispm_interfaces ((${IFACE_MAC}) text_pattern_ops) WHERE mac IS NOT NULL`,
    // Any failure here (no extension, no right to create it) leaves substring search unindexed.
    `DO $$
     BEGIN
       IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
         CREATE EXTENSION IF NOT EXISTS pg_trgm;
         CREATE INDEX ispm_pppoe_sessions_open_user_trgm ON ispm_pppoe_sessions_open
           USING gin (lower(username) gin_trgm_ops);
         CREATE INDEX ispm_interfaces_text_trgm ON ispm_interfaces USING gin (${IFACE_TEXT} gin_trgm_ops)
           WHERE ended_at IS NULL;
       END IF;
     EXCEPTION WHEN OTHERS THEN
       RAISE NOTICE 'substring search stays unindexed: %', SQLERRM;
     END $$`,
  ],
};
