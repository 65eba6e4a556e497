import { useCallback, useState } from 'preact/hooks';

import { useApi } from '../../api/context';
import { listServices, serviceStatuses, serviceTypes, type Service } from '../../api/services';
import { formatHash } from '../../router/hash';
import { navigate } from '../../router/location';
import { useResource } from '../../ui/resource';
import { LoadError } from '../../ui/LoadError';
import { HealthPanel } from './HealthPanel';
import { RegisterForm } from './RegisterForm';
import { RemoveDialog } from './RemoveDialog';
import { ServiceTable } from './ServiceTable';
import './services.css';

export const servicesPath = '/services';

/** Services shown per page of the registry. */
const pageSize = 50;

/**
 * ServicesPage is platform health and the service registry: list (filtered
 * and paged through the address, so every view can be linked), register
 * and remove.
 */
export function ServicesPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const type = query.get('type') ?? '';
  const status = query.get('status') ?? '';
  const offset = pageOffset(query.get('offset'));
  const [list, reload] = useResource(
    (signal) => listServices(api, { type, status, limit: pageSize, offset }, signal),
    [api, type, status, offset],
  );
  const [notice, setNotice] = useState('');
  const [removing, setRemoving] = useState<Service>();

  const onRegistered = useCallback(
    (svc: Service) => {
      setNotice(`Registered ${svc.name}.`);
      reload();
    },
    [reload],
  );
  const onRemoved = (name: string, alreadyGone: boolean) => {
    setRemoving(undefined);
    setNotice(alreadyGone ? `${name} had already been removed.` : `Removed ${name}.`);
    reload();
  };
  const filter = (next: { type?: string; status?: string }) => navigate(servicesPath, { type, status, ...next });

  const data = list.data;
  const filtered = type !== '' || status !== '';
  return (
    <div class="services-page">
      <header class="page-head">
        <h1>Services</h1>
        <p class="muted">Platform health and the registry of the services Opsight watches.</p>
      </header>

      <HealthPanel />

      <div class="services-page__columns">
        <section class="panel" aria-labelledby="registry-title" aria-busy={list.state === 'loading'}>
          <div class="panel__head">
            <h2 id="registry-title">Registry</h2>
            <div class="filters">
              <label>
                Type
                <select value={type} onChange={(e) => filter({ type: e.currentTarget.value })}>
                  <option value="">All types</option>
                  {serviceTypes.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Status
                <select value={status} onChange={(e) => filter({ status: e.currentTarget.value })}>
                  <option value="">All statuses</option>
                  {serviceStatuses.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          </div>
          <p class="notice" role="status">
            {notice}
          </p>
          {list.state === 'error' && <LoadError what="the registry" error={list.error} onRetry={reload} />}
          {data === undefined ? (
            list.state === 'loading' && <p class="muted">Loading services…</p>
          ) : data.services.length === 0 ? (
            <p class="empty">
              {filtered ? (
                <>
                  No services match these filters. <a href={formatHash(servicesPath)}>Show all services</a>
                </>
              ) : data.total > 0 ? (
                <>
                  This page is past the end of the list. <a href={formatHash(servicesPath)}>Go to the first page</a>
                </>
              ) : (
                'No services registered yet. Register the first one with the form.'
              )}
            </p>
          ) : (
            <>
              <ServiceTable services={data.services} now={Date.now()} onRemove={setRemoving} />
              <Pager total={data.total} offset={data.offset} shown={data.services.length} query={{ type, status }} />
            </>
          )}
        </section>

        <section class="panel" aria-labelledby="register-title">
          <div class="panel__head">
            <h2 id="register-title">Register a service</h2>
          </div>
          <RegisterForm onRegistered={onRegistered} />
        </section>
      </div>

      {removing && <RemoveDialog service={removing} onCancel={() => setRemoving(undefined)} onRemoved={onRemoved} />}
    </div>
  );
}

function Pager({ total, offset, shown, query }: { total: number; offset: number; shown: number; query: Record<string, string> }) {
  const noun = total === 1 ? 'service' : 'services';
  if (offset === 0 && shown >= total) {
    return (
      <p class="pager muted">
        {total} {noun}
      </p>
    );
  }
  const prev = Math.max(0, offset - pageSize);
  const next = offset + pageSize;
  return (
    <nav class="pager" aria-label="Registry pages">
      <span class="muted">
        {offset + 1}–{offset + shown} of {total} {noun}
      </span>
      {offset > 0 && <a href={formatHash(servicesPath, { ...query, offset: prev || undefined })}>Previous page</a>}
      {next < total && <a href={formatHash(servicesPath, { ...query, offset: next })}>Next page</a>}
    </nav>
  );
}

/** pageOffset reads ?offset=, ignoring anything that is not a whole number. */
function pageOffset(raw: string | null): number {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
