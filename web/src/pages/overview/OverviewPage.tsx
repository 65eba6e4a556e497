import { listAnomalies } from '../../api/anomalies';
import type { ApiClient } from '../../api/client';
import { useApi } from '../../api/context';
import { getServiceHealth, listServices, type ServiceHealth } from '../../api/services';
import { formatHash } from '../../router/hash';
import { healthReason, partLevel } from '../../ui/health';
import { healthLabel, HealthGrade } from '../../ui/HealthGrade';
import { formatMetric, metricInfo } from '../../ui/metrics';
import { useRefresh, useResource } from '../../ui/resource';
import { LoadError } from '../../ui/LoadError';
import { anomaliesPath } from '../anomalies/AnomaliesPage';
import { serviceHref } from '../service/links';
import { servicesPath } from '../services/ServicesPage';
import { byConcern, countEpisodes, statusCounts, type EpisodeCount, type ServiceRow } from './overview';
import './overview.css';

export const overviewPath = '/overview';

const refreshMs = 60_000;
/** Episodes counted on the cards: the last day's. */
const episodeWindowMs = 24 * 3_600_000;

interface Row extends ServiceRow {
  error: string | undefined;
}

interface Overview {
  rows: Row[];
  /** null when the episodes could not be read (the cards still stand). */
  episodes: Map<string, EpisodeCount> | null;
}

/** load reads every service's health (one failing leaves the others) and the last day's episodes. */
async function load(api: ApiClient, signal: AbortSignal): Promise<Overview> {
  const now = Date.now();
  const [list, episodes] = await Promise.all([
    listServices(api, { limit: 1000 }, signal),
    listAnomalies(api, { from: now - episodeWindowMs, limit: 500 }, signal).then(
      (p) => countEpisodes(p.anomalies),
      () => null,
    ),
  ]);
  const healths = await Promise.allSettled(list.services.map((s) => getServiceHealth(api, s.name, undefined, signal)));
  const rows = list.services.map((s, i): Row => {
    const h = healths[i];
    return {
      name: s.name,
      health: h?.status === 'fulfilled' ? h.value : undefined,
      error: h?.status === 'rejected' ? String(h.reason instanceof Error ? h.reason.message : h.reason) : undefined,
    };
  });
  return { rows: byConcern(rows), episodes };
}

/**
 * OverviewPage is the first page: every service's health grade with the
 * reason, worst first, and its anomaly episodes of the last day.
 */
export function OverviewPage() {
  const api = useApi();
  const [overview, reload] = useResource((signal) => load(api, signal), [api]);
  useRefresh(reload, refreshMs);
  const data = overview.data;
  return (
    <div class="overview-page">
      <header class="page-head">
        <h1>Overview</h1>
        <p class="muted">{data ? summary(data.rows) : 'The health of every service, worst first.'}</p>
      </header>
      {overview.state === 'error' && <LoadError what="the overview" error={overview.error} onRetry={reload} />}
      {data === undefined ? (
        overview.state === 'loading' && <p class="muted">Loading services…</p>
      ) : data.rows.length === 0 ? (
        <p class="empty">
          No services registered yet. <a href={formatHash(servicesPath)}>Register one</a>, or push metrics to <code>/api/v1/metrics</code>.
        </p>
      ) : (
        <ul class="service-cards" aria-label="Services">
          {data.rows.map((r) => (
            <ServiceCard key={r.name} row={r} episodes={data.episodes === null ? null : (data.episodes.get(r.name) ?? { open: 0, total: 0 })} />
          ))}
        </ul>
      )}
    </div>
  );
}

function summary(rows: Row[]): string {
  const c = statusCounts(rows);
  const parts = (['critical', 'degraded', 'no_data', 'healthy'] as const).filter((s) => c[s] > 0).map((s) => `${c[s]} ${healthLabel(s).toLowerCase()}`);
  return `${rows.length} ${rows.length === 1 ? 'service' : 'services'}: ${parts.join(', ')}.`;
}

function ServiceCard({ row, episodes }: { row: Row; episodes: EpisodeCount | null }) {
  const h = row.health;
  return (
    <li class={`service-card service-card--${h?.status ?? 'no_data'}`}>
      <div class="service-card__head">
        <h2>
          <a href={serviceHref(row.name)}>{row.name}</a>
        </h2>
        {h && <HealthGrade health={h} />}
      </div>
      {row.error !== undefined && <p class="alert">Could not read its health: {row.error}</p>}
      {h && <p class="service-card__reason">{healthReason(h)}</p>}
      {h && h.parts.length > 0 && <Parts health={h} />}
      {episodes && (
        <p class="service-card__episodes">
          {episodes.total === 0 ? (
            <span class="muted">No anomaly episodes in the last 24 hours.</span>
          ) : (
            <a href={formatHash(anomaliesPath, { service: row.name })}>
              {episodes.open > 0 && `${episodes.open} open, `}
              {episodes.total} {episodes.total === 1 ? 'episode' : 'episodes'} in the last 24 hours
            </a>
          )}
        </p>
      )}
    </li>
  );
}

function Parts({ health }: { health: ServiceHealth }) {
  return (
    <dl class="service-card__parts">
      {health.parts.map((p) => (
        <div key={p.name} class={`part part--${partLevel(p)}`}>
          <dt>{metricInfo(p.name).title}</dt>
          <dd>
            {formatMetric(p.name, p.value)}
            {partLevel(p) !== 'ok' && <span class="part__flag">{partLevel(p) === 'critical' ? 'critical' : 'past warn'}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
