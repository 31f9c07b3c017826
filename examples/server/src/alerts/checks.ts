/** Checks of alert and silence input the JSON schema cannot express, with messages that say what to do. */
import { labelMatcher } from '@ispmonitor/plugin-alerts';
import { HttpError, ServerErrors } from '../http/errors.js';
import type { AckInfo } from './changes.js';

/** A matcher as the API takes it. */
export interface MatcherInput {
  name: string;
  value: string;
  isRegex?: boolean;
  isEqual?: boolean;
}

/** What RE2's parse errors start with; what follows says what is wrong. */
const PARSE_ERROR = 'error parsing regexp: ';

/**
 * Compiles a matcher with the alerts plugin's own matcher (RE2: linear time, anchored), so that
 * what is checked here is what silences will do. A regex RE2 refuses (lookaround,
 * backreferences: JavaScript has them, RE2 does not) is a 400 that says so.
 */
function compiled(m: MatcherInput): (value: string | undefined) => boolean {
  try {
    return labelMatcher(m);
  } catch (err) {
    const text = (err as Error).message;
    const at = text.lastIndexOf(PARSE_ERROR);
    const why = at >= 0 ? text.slice(at + PARSE_ERROR.length) : 'RE2 refuses it';
    throw new HttpError(
      400,
      `matcher ${m.name}: "${m.value}" is not a valid regular expression: ${why} ` +
        '(RE2 syntax, as Prometheus and Alertmanager use: no lookaround such as (?=…), no backreferences such as \\1)',
      ServerErrors.BAD_REGEX.code,
    );
  }
}

/** Whether a matcher holds for an alert without that label (value ""). */
function matchesEmpty(m: MatcherInput): boolean {
  return compiled(m)('');
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
      ServerErrors.SILENCE_REASON.code,
    );
  }
  const empties = body.matchers.map(matchesEmpty);
  if (empties.every(Boolean)) {
    throw new HttpError(
      400,
      'a silence must name what it covers: at least one matcher must need a non-empty label (e.g. device="r1")',
      ServerErrors.SILENCE_TOO_WIDE.code,
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
