import { h } from '../lib/dom.js';

// Links from anything that names a subscriber, an address or a router to its page. Values come
// from devices: always text nodes, and encoded into the path.

/** A link to a subscriber's page (`/subscribers/:user`). */
export function userLink(user: string | null | undefined): HTMLElement | string {
  if (!user) return '';
  return h('a', { href: `/subscribers/${encodeURIComponent(user)}`, class: 'strong' }, user);
}

/** A link to an IP address's history (`/ips/:ip`). */
export function ipLink(ip: string | null | undefined): HTMLElement | string {
  if (!ip) return '';
  return h('a', { href: `/ips/${encodeURIComponent(ip)}`, class: 'mono' }, ip);
}

/** A link to a MAC address's history (`/macs/:mac`). */
export function macLink(mac: string | null | undefined): HTMLElement | string {
  if (!mac) return '';
  return h('a', { href: `/macs/${encodeURIComponent(mac)}`, class: 'mono' }, mac);
}

/** A link to a router's page. */
export function routerLink(id: string | null | undefined): HTMLElement | string {
  if (!id) return '';
  return h('a', { href: `/routers/${encodeURIComponent(id)}` }, id);
}
