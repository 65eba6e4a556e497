import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

import { useApi } from '../api/context';
import { getVersion } from '../api/platform';
import { useResource } from './resource';
import './layout.css';

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

interface Props {
  nav: NavItem[];
  /** Changes when the page changes; focus then moves to the new page. */
  pageKey: string;
  children: ComponentChildren;
}

/**
 * Layout is the frame every page renders in: the top bar with navigation,
 * the page itself in <main>, and a footer naming the running build.
 */
export function Layout({ nav, pageKey, children }: Props) {
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // A new page moves focus to <main>, as a page load would, so keyboard
    // and screen-reader users start at the new content. Not on first load:
    // the browser starts at the top already.
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pageKey]);

  return (
    <div class="layout">
      <button type="button" class="btn skip-link" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="topbar">
        <a class="topbar__brand" href="#/">
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <circle cx="12" cy="12" r="9" />
            <path d="M7 13.5l3-4 3 3 4-5" />
          </svg>
          Opsight
        </a>
        <nav class="topbar__nav" aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.current ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main class="layout__main" id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
      <Footer />
    </div>
  );
}

function Footer() {
  const api = useApi();
  const [version] = useResource((signal) => getVersion(api, signal), [api]);
  const v = version.data;
  return (
    <footer class="layout__footer">
      {v ? (
        <span>
          Opsight {v.version}
          {v.commit && <> · commit {v.commit.slice(0, 12)}</>}
          {v.stage && <> · stage {v.stage}</>}
        </span>
      ) : (
        <span>Opsight</span>
      )}
    </footer>
  );
}
