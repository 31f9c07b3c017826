// Shapes of the search and subscriber API (`/api/v1/search`, `/subscribers`, `/ips`, `/macs`),
// as the UI reads them. They are the storage plugin's own types, which the server passes on:
// imported as types only, so nothing of the package (node code) enters the bundle.
import type { IpHit, SearchHit as StoredHit } from '@ispmonitor/plugin-postgres';

export type {
  BindingRecord,
  EndReason,
  Match,
  SessionPage,
  SessionRecord,
  SubscriberSummary,
} from '@ispmonitor/plugin-postgres';

/**
 * One search hit; `kind` says which page it opens. An IP hit's `interface` is absent from
 * servers older than schema 6, so the UI does not count on it.
 */
export type SearchHit =
  | Exclude<StoredHit, IpHit>
  | (Omit<IpHit, 'interface'> & { interface?: string | null });

/** Kinds of hits, in the order the search lists their groups. */
export type HitKind = SearchHit['kind'];

/** `GET /api/v1/search` answer. `note` says what could not be searched (no subscriber storage). */
export interface SearchResult {
  query: string;
  hits: SearchHit[];
  note?: string;
}
