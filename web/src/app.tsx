import type { VNode } from 'preact';
import { useEffect } from 'preact/hooks';

import { NotFound } from './pages/NotFound';
import { ServicesPage, servicesPath } from './pages/services/ServicesPage';
import { formatHash, type Location } from './router/hash';
import { navigate, useLocation } from './router/location';
import { Layout } from './ui/Layout';

/** A page of the dashboard. A new page is one more entry in routes. */
interface Route {
  path: string;
  /** In the navigation and the window title. */
  title: string;
  render: (loc: Location) => VNode;
}

const routes: Route[] = [{ path: servicesPath, title: 'Services', render: (loc) => <ServicesPage query={loc.query} /> }];

/** Where "#/" (and an empty address) leads. */
const home = servicesPath;

export function App() {
  const loc = useLocation();
  const route = routes.find((r) => r.path === loc.path);

  useEffect(() => {
    if (loc.path === '/') navigate(home, {}, { replace: true });
  }, [loc.path]);
  useEffect(() => {
    document.title = `${route?.title ?? 'Page not found'} · Opsight`;
  }, [route]);

  const nav = routes.map((r) => ({ href: formatHash(r.path), label: r.title, current: r === route }));
  let page: VNode | null = null;
  if (route) page = route.render(loc);
  else if (loc.path !== '/') page = <NotFound path={loc.path} home={home} />;
  return (
    <Layout nav={nav} pageKey={loc.path}>
      {page}
    </Layout>
  );
}
