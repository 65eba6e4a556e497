import type { VNode } from 'preact';
import { useEffect } from 'preact/hooks';

import { AnomaliesPage, anomaliesPath } from './pages/anomalies/AnomaliesPage';
import { CapacityPage, capacityPath } from './pages/capacity/CapacityPage';
import { NotFound } from './pages/NotFound';
import { OverviewPage, overviewPath } from './pages/overview/OverviewPage';
import { servicePattern } from './pages/service/links';
import { ServicePage } from './pages/service/ServicePage';
import { ServicesPage, servicesPath } from './pages/services/ServicesPage';
import { formatHash, type Location } from './router/hash';
import { navigate, useLocation } from './router/location';
import { matchPath, type Params } from './router/match';
import { Layout } from './ui/Layout';

/** A page of the dashboard. A new page is one more entry in routes. */
interface Route {
  /** A path, or a pattern with :parameters ("/services/:name"). */
  path: string;
  /** In the window title, and in the navigation unless the route has parameters. */
  title: (params: Params) => string;
  render: (loc: Location, params: Params) => VNode;
  /** The navigation entry that is current while this page shows. */
  navParent?: string;
}

const routes: Route[] = [
  { path: overviewPath, title: () => 'Overview', render: () => <OverviewPage /> },
  { path: anomaliesPath, title: () => 'Anomalies', render: (loc) => <AnomaliesPage query={loc.query} /> },
  { path: capacityPath, title: () => 'Capacity', render: () => <CapacityPage /> },
  { path: servicesPath, title: () => 'Services', render: (loc) => <ServicesPage query={loc.query} /> },
  {
    path: servicePattern,
    title: (p) => p['name'] ?? 'Service',
    // Keyed by name: another service's page starts afresh, not with the last one's data.
    render: (loc, p) => <ServicePage key={p['name']} name={p['name'] ?? ''} query={loc.query} />,
    navParent: overviewPath,
  },
];

/** Where "#/" (and an empty address) leads: the overview, what an operator opens first. */
const home = overviewPath;

export function App() {
  const loc = useLocation();
  let route: Route | undefined;
  let params: Params = {};
  for (const r of routes) {
    const m = matchPath(r.path, loc.path);
    if (m) {
      route = r;
      params = m;
      break;
    }
  }
  const title = route?.title(params);

  useEffect(() => {
    if (loc.path === '/') navigate(home, {}, { replace: true });
  }, [loc.path]);
  useEffect(() => {
    document.title = `${title ?? 'Page not found'} · Opsight`;
  }, [title]);

  const current = route?.navParent ?? route?.path;
  const nav = routes
    .filter((r) => !r.path.includes(':'))
    .map((r) => ({ href: formatHash(r.path), label: r.title({}), current: r.path === current }));
  let page: VNode | null = null;
  if (route) page = route.render(loc, params);
  else if (loc.path !== '/') page = <NotFound path={loc.path} home={home} />;
  return (
    <Layout nav={nav} pageKey={loc.path}>
      {page}
    </Layout>
  );
}
