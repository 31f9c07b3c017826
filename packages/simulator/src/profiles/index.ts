/** The built-in profiles, and MIB views built once per (profile, ports) and shared by devices. */
import { MibView } from '../snmp/mib.js';
import { cisco } from './cisco.js';
import type { Ctx } from './common.js';
import { juniper } from './juniper.js';
import { linux } from './linux.js';
import { mikrotik } from './mikrotik.js';
import type { Profile, ProfileName } from './types.js';

export type { Ctx } from './common.js';
export type { Profile, ProfileName } from './types.js';

/** Every built-in profile by name. */
export const profiles: Readonly<Record<ProfileName, Profile>> = { mikrotik, cisco, juniper, linux };

const views = new Map<string, MibView<Ctx>>();

/** The shared view of `profile` with `ports` physical ports (built on first use). */
export function profileView(profile: Profile, ports: number): MibView<Ctx> {
  const key = `${profile.name}:${ports}`;
  let view = views.get(key);
  if (!view) {
    view = new MibView(profile.entries(profile.layout(ports)));
    views.set(key, view);
  }
  return view;
}

/** Looks a profile up by name, failing with the list of valid names. */
export function getProfile(name: string): Profile {
  const p = (profiles as Record<string, Profile>)[name];
  if (!p) throw new RangeError(`unknown profile "${name}" (known: ${Object.keys(profiles).join(', ')})`);
  return p;
}
