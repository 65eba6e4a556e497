import { useApi } from '../../api/context';
import { isSeverity, listAnomalies, severities } from '../../api/anomalies';
import { listServices } from '../../api/services';
import { formatHash } from '../../router/hash';
import { navigate } from '../../router/location';
import { useRefresh, useResource } from '../../ui/resource';
import { LoadError } from '../../ui/LoadError';
import { EpisodeItem } from './EpisodeItem';
import './anomalies.css';

export const anomaliesPath = '/anomalies';

/** Episodes per page. */
const pageSize = 25;
const refreshMs = 60_000;

/**
 * AnomaliesPage lists anomaly episodes newest first, filtered by service
 * and minimum severity and paged with the API's cursor; all three live in
 * the address (?service=&severity=&before=).
 */
export function AnomaliesPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const service = query.get('service') ?? '';
  const rawSeverity = query.get('severity') ?? '';
  const severity = isSeverity(rawSeverity) ? rawSeverity : undefined;
  const before = query.get('before') ?? '';

  const [page, reload] = useResource(
    (signal) => listAnomalies(api, { service: service || undefined, severity, before: before || undefined, limit: pageSize }, signal),
    [api, service, severity, before],
  );
  // Only the first page changes as episodes arrive; older pages stay put.
  useRefresh(before === '' ? reload : noop, refreshMs);
  const [services] = useResource((signal) => listServices(api, { limit: 1000 }, signal), [api]);

  const filter = (next: { service?: string; severity?: string }) => navigate(anomaliesPath, { service, severity, ...next });
  const data = page.data;
  const filtered = service !== '' || severity !== undefined;
  const now = Date.now();
  return (
    <div class="anomalies-page">
      <header class="page-head">
        <h1>Anomalies</h1>
        <p class="muted">Episodes of unusual behaviour the detector found in the services' metrics, newest first.</p>
      </header>
      <section class="panel" aria-labelledby="episodes-title" aria-busy={page.state === 'loading'}>
        <div class="panel__head">
          <h2 id="episodes-title">{before ? 'Older episodes' : 'Latest episodes'}</h2>
          <div class="filters">
            <label>
              Service
              <select value={service} onChange={(e) => filter({ service: e.currentTarget.value })}>
                <option value="">All services</option>
                {(services.data?.services ?? []).map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
                {service !== '' && !services.data?.services.some((s) => s.name === service) && <option value={service}>{service}</option>}
              </select>
            </label>
            <label>
              Severity
              <select value={severity ?? ''} onChange={(e) => filter({ severity: e.currentTarget.value })}>
                <option value="">Any severity</option>
                {severities.map((s) => (
                  <option key={s} value={s}>
                    {s === 'critical' ? 'critical' : `${s} and above`}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        {page.state === 'error' && <LoadError what="the episodes" error={page.error} onRetry={reload} />}
        {data === undefined ? (
          page.state === 'loading' && <p class="muted">Loading episodes…</p>
        ) : data.anomalies.length === 0 ? (
          <p class="empty">
            {before ? (
              <>
                No older episodes. <a href={formatHash(anomaliesPath, { service, severity })}>Back to the latest</a>
              </>
            ) : filtered ? (
              <>
                No episodes match these filters. <a href={formatHash(anomaliesPath)}>Show all episodes</a>
              </>
            ) : (
              'No anomaly episodes yet. The detector checks every service’s metrics each minute and lists what it finds here.'
            )}
          </p>
        ) : (
          <>
            <ul class="episodes">
              {data.anomalies.map((a) => (
                <EpisodeItem key={a.id} episode={a} now={now} showService={service === ''} />
              ))}
            </ul>
            <nav class="pager" aria-label="Episode pages">
              {before && <a href={formatHash(anomaliesPath, { service, severity })}>Latest episodes</a>}
              {data.next !== null ? (
                <a href={formatHash(anomaliesPath, { service, severity, before: data.next })}>Older episodes</a>
              ) : (
                <span class="muted">No older episodes.</span>
              )}
            </nav>
          </>
        )}
      </section>
    </div>
  );
}

function noop() {}
