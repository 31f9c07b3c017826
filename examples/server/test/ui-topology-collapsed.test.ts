import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, skipWithoutBrowser } from './support/browser.js';
import { useDemoConsole } from './support/demo-console.js';

/** The parts of the topology answers this test compares the page with. */
interface SitesAnswer {
  collapsed?: boolean;
  total?: number;
  nodes: Array<{ id: string; site?: string; state: string }>;
  sites: Array<{ id: string; state: string; count: number; lat?: number }>;
}
interface MembersAnswer {
  site: string;
  nodes: Array<{ id: string; state: string }>;
}

/**
 * The topology page's collapsed view (what it draws above 1,500 routers), forced on the small demo
 * with `?sites=collapsed`: every site one bubble in the state the server gives it, a site expanded
 * shows exactly the routers the server lists for it, the geographic view has one marker per site
 * whose click loads its routers, and "Expand all" draws the full graph. The page is compared with
 * the API answers fetched in the same page (same session), never with hard-coded values.
 */
describe.skipIf(skipWithoutBrowser('ui collapsed topology tests'))('collapsed topology in Chromium', () => {
  let page: Page;
  let base: string;
  useDemoConsole({
    routers: 12,
    context: { viewport: { width: 1440, height: 900 } },
    opened: (env) => {
      ({ page, base } = env);
    },
  });

  const ready = async (path: string) => {
    await page.goto(`${base}${path}`);
    await page.waitForSelector('[data-testid="topology"][data-state="ready"]');
  };
  /** An API answer fetched by the page itself (its session cookie). */
  const fetchJson = <T>(path: string): Promise<T> =>
    page.evaluate(async (p) => {
      const res = await fetch(p, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
      return res.json();
    }, path) as Promise<T>;
  const siteAnswer = () => fetchJson<SitesAnswer>('/api/v1/topology?view=sites');
  const membersOf = async (site: string) =>
    (await fetchJson<MembersAnswer>(`/api/v1/topology?site=${encodeURIComponent(site)}`)).nodes
      .map((n) => n.id)
      .sort();
  const drawnNodes = () =>
    page.$$eval('[data-node]', (els) => els.map((e) => e.getAttribute('data-node') ?? '').sort());

  it('graph: each site is one collapsed bubble in the worst state of its routers', async () => {
    await ready('/topology?layout=graph&sites=collapsed');
    const first = await siteAnswer();
    expect(first.collapsed).toBe(true);
    expect(first.sites.length).toBeGreaterThan(1);
    expect(await page.locator('g.site[data-site]').count()).toBe(first.sites.length);
    expect(await page.locator('g.site[aria-expanded="true"]').count()).toBe(0);
    // No router of a collapsed site is drawn on its own.
    const sited = new Set(first.nodes.filter((n) => n.site).map((n) => n.id));
    expect((await drawnNodes()).filter((id) => sited.has(id))).toEqual([]);
    // States move with the demo's polls: compare the page with an answer of the same moment.
    await expect
      .poll(
        async () => {
          const api = await siteAnswer();
          const drawn = await page.$$eval('g.site[data-site]', (els) =>
            Object.fromEntries(els.map((e) => [e.getAttribute('data-site'), e.getAttribute('data-state')])),
          );
          const want = Object.fromEntries(api.sites.map((x) => [x.id, x.state]));
          return JSON.stringify(drawn) === JSON.stringify(want) ? 'same' : JSON.stringify({ drawn, want });
        },
        { timeout: 20_000 },
      )
      .toBe('same');
    // The server's site state is one of its routers' (the worst of them, not an invented one).
    await expect
      .poll(
        async () => {
          const api = await siteAnswer();
          const wrong: string[] = [];
          for (const site of api.sites) {
            const m = await fetchJson<MembersAnswer>(`/api/v1/topology?site=${encodeURIComponent(site.id)}`);
            const states = m.nodes.map((n) => n.state);
            if (m.nodes.length !== site.count || !states.includes(site.state))
              wrong.push(`${site.id}: ${site.state} of ${site.count}, routers ${states.join(',')}`);
          }
          return wrong;
        },
        { timeout: 20_000 },
      )
      .toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'topology-collapsed-graph.png') });
  });

  it('graph: expanding a site asks for its routers and draws exactly them', async () => {
    await ready('/topology?layout=graph&sites=collapsed');
    const { sites } = await siteAnswer();
    const site = [...sites].sort((a, b) => b.count - a.count)[0]?.id as string;
    const before = new Set(await drawnNodes());
    const asked = page.waitForResponse((r) =>
      r.url().includes(`/api/v1/topology?site=${encodeURIComponent(site)}`),
    );
    await page.click(`g.site[data-site="${site}"]`);
    expect((await asked).ok()).toBe(true);
    await page.waitForSelector(`.site-title[data-site="${site}"][aria-expanded="true"]`);
    const added = (await drawnNodes()).filter((id) => !before.has(id));
    const expected = (await membersOf(site)).filter((id) => !before.has(id));
    expect(added).toEqual(expected);
    expect(added.length).toBeGreaterThan(0);
    // The other sites stay collapsed.
    expect(await page.locator('g.site[aria-expanded="false"]').count()).toBe(sites.length - 1);
  });

  it('geographic: one marker per collapsed site; a click loads its routers', async () => {
    await ready('/topology?sites=collapsed');
    const api = await siteAnswer();
    const located = api.sites.filter((x) => x.lat !== undefined);
    expect(located.length).toBeGreaterThan(1);
    const markers = await page.$$eval('[data-site-marker]', (els) =>
      els
        .map((e) => ({
          site: e.getAttribute('data-site-marker') ?? '',
          count: Number(e.getAttribute('data-cluster')),
          state: e.getAttribute('data-state') ?? '',
        }))
        .sort((a, b) => a.site.localeCompare(b.site)),
    );
    expect(markers.map((m) => [m.site, m.count])).toEqual(
      located.map((x) => [x.id, x.count]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'topology-collapsed-geo.png') });

    const site = located[0]?.id as string;
    const members = await membersOf(site);
    const asked = page.waitForResponse((r) =>
      r.url().includes(`/api/v1/topology?site=${encodeURIComponent(site)}`),
    );
    await page.click(`[data-site-marker="${site}"]`);
    expect((await asked).ok()).toBe(true);
    await page.waitForSelector(`[data-site-marker="${site}"]`, { state: 'detached' });
    // Zoomed in on the site: its routers are drawn one by one or in clusters of their own.
    await expect
      .poll(async () => {
        const nodes = (await drawnNodes()).filter((id) => members.includes(id));
        const clustered = await page.$$eval('[data-cluster]:not([data-site-marker])', (els) =>
          els.reduce((n, e) => n + Number(e.getAttribute('data-cluster')), 0),
        );
        return nodes.length + clustered;
      })
      .toBe(members.length);
    expect(await page.locator('[data-site-marker]').count()).toBe(located.length - 1);
  });

  it('"Expand all" asks for the full answer and draws every router', async () => {
    await ready('/topology?layout=graph&sites=collapsed');
    const { sites } = await siteAnswer();
    const asked = page.waitForResponse((r) => r.url().includes('/api/v1/topology?view=full'));
    await page.click('button:text-is("Expand all")');
    expect((await asked).ok()).toBe(true);
    const full = await fetchJson<SitesAnswer>('/api/v1/topology?view=full');
    expect(full.collapsed).toBeFalsy();
    const all = full.nodes.map((n) => n.id).sort();
    await expect.poll(drawnNodes, { timeout: 20_000 }).toEqual(all);
    expect(await page.locator('.site-title[aria-expanded="true"]').count()).toBe(sites.length);
    expect(await page.locator('g.site[aria-expanded="false"]').count()).toBe(0);
  });
});
