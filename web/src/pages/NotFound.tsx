import { formatHash } from '../router/hash';

/** NotFound answers an address that names no page. */
export function NotFound({ path, home }: { path: string; home: string }) {
  return (
    <div class="page-head">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. <a href={formatHash(home)}>Go to the overview</a>
      </p>
    </div>
  );
}
