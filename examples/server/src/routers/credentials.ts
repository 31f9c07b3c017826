import type { Device } from '@ispmonitor/core';
import type { Principal } from '../auth/accounts.js';
import { roleAllows } from '../auth/secrets.js';
import { HttpError, ServerErrors } from '../http/errors.js';

/**
 * The fields that decide where a router's polls go. Changing one of them would send the stored
 * credentials (a RouterOS password, an SNMP community, a v3 exchange) to another machine, since
 * an update keeps the settings it does not replace.
 */
export const ADDRESS_FIELDS = ['host', 'port', 'driver'] as const;

/** What a router change does to where its credentials go, once allowed. */
export interface CredentialDecision {
  /** The address fields the change moves (empty: the credentials stay where they were). */
  moved: string[];
  /** The stored credentials an admin chose to keep for the new address. */
  kept?: string;
}

/**
 * Checks a router change against credential theft (issue 21): a change that moves the router
 * (`host`, `port` or `driver` differs from the stored one) while stored driver settings would be
 * used at the new address must carry those settings in the same request, or come from an admin
 * with an explicit `keepCredentials: true`. `keepCredentials` from anyone else is refused (403).
 * Throws an HttpError saying which fields are needed; returns what to record in the audit log.
 * `current` is undefined for a router this check does not apply to (unknown, or from the config
 * file: the update refuses those with 404 and 409).
 */
export function checkCredentials(
  current: Device | undefined,
  patch: Record<string, unknown>,
  principal: Principal | undefined,
): CredentialDecision {
  const keep = patch.keepCredentials === true;
  if (keep && !(principal && roleAllows(principal.role, 'admin'))) {
    throw new HttpError(
      ServerErrors.FORBIDDEN,
      `keepCredentials needs the admin role; you have ${principal?.role ?? 'none'}`,
    );
  }
  if (!current) return { moved: [] };
  const moved = ADDRESS_FIELDS.filter((f) => patch[f] !== undefined && patch[f] !== current[f]);
  if (moved.length === 0) return { moved };
  // The settings the driver polling after the change reads: those are what would travel.
  const driver = typeof patch.driver === 'string' ? patch.driver : current.driver;
  const stored = current[driver];
  if (stored === undefined || patch[driver] !== undefined) return { moved };
  if (keep) return { moved, kept: driver };
  throw new HttpError(
    ServerErrors.CREDENTIALS_REQUIRED,
    `changing ${moved.join(', ')} of router "${current.id}" needs its credentials in the same request: ` +
      `send "${driver}" (the ${driver} settings for the new address), or, as an admin, "keepCredentials": true`,
  );
}
