/** Checks of alert and silence input the JSON schema cannot express, with messages that say what to do. */
import { HttpError } from '../http/errors.js';
import type { AckInfo } from './changes.js';

/** A matcher as the API takes it. */
export interface MatcherInput {
  name: string;
  value: string;
  isRegex?: boolean;
  isEqual?: boolean;
}

/** Whether a matcher holds for an alert without that label (value ""). */
function matchesEmpty(m: MatcherInput): boolean {
  let hit: boolean;
  if (m.isRegex) {
    try {
      hit = new RegExp(`^(?:${m.value})$`).test('');
    } catch {
      throw new HttpError(400, `matcher ${m.name}: "${m.value}" is not a valid regular expression`);
    }
  } else hit = m.value === '';
  return m.isEqual === false ? !hit : hit;
}

/**
 * Checks a new silence and returns its reason (trimmed). A silence needs a reason that says why,
 * and at least one matcher that names something: matchers that all hold for an empty label would
 * silence every alert.
 */
export function checkSilenceInput(body: { matchers: MatcherInput[]; comment?: string }): string {
  const comment = body.comment?.trim() ?? '';
  if (!comment) {
    throw new HttpError(
      400,
      'a silence needs a reason: give "comment" saying why (e.g. "maintenance, ticket 4711")',
      'ISPM_SILENCE_REASON',
    );
  }
  const empties = body.matchers.map(matchesEmpty);
  if (empties.every(Boolean)) {
    throw new HttpError(
      400,
      'a silence must name what it covers: at least one matcher must need a non-empty label (e.g. device="r1")',
      'ISPM_SILENCE_TOO_WIDE',
    );
  }
  return comment;
}

/** The acknowledgement of an alert in either shape (core's `acknowledged`, the plugin's `ack`). */
export function ackOf(alert: object): AckInfo | undefined {
  const a = alert as { ack?: Partial<AckInfo>; acknowledged?: Partial<AckInfo> };
  const ack = a.ack ?? a.acknowledged;
  if (!ack?.by) return undefined;
  return {
    by: ack.by,
    at: typeof ack.at === 'number' ? ack.at : Date.now(),
    ...(ack.comment ? { comment: ack.comment } : {}),
    ...(typeof ack.until === 'number' ? { until: ack.until } : {}),
  };
}
