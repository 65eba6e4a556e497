import { useCallback } from 'preact/hooks';

import { ApiError } from '../../api/client';
import { useApi } from '../../api/context';
import { listSeries } from '../../api/metrics';
import { getService, getServiceHealth, type HealthPart } from '../../api/services';
import { formatHash } from '../../router/hash';
import { formatDateTime } from '../../ui/format';
import { useRefresh, useResource } from '../../ui/resource';
import { LoadError } from '../../ui/LoadError';
import { anomaliesPath } from '../anomalies/AnomaliesPage';
import { EpisodeItem } from '../anomalies/EpisodeItem';
import { HealthPanel } from './HealthPanel';
import { serviceHref } from './links';
import { loadServiceView, type ServiceView } from './load';
import { thresholdOf } from './charts';
import { MetricChart } from './MetricChart';
import { parseEnd, rangeOf, ranges, type Range } from './range';
import './service.css';

/** How often a live page reads everything again. */
const refreshMs = 60_000;

/**
 * ServicePage is one service at a glance: its health verdict with the
 * reasons, and charts of its standard metrics over a range (in the
 * address: ?range=6h, and ?end= for a past window) with anomaly episodes
 * shaded and the forecast continuing them.
 */
export function ServicePage({ name, query }: { name: string; query: URLSearchParams }) {
  const api = useApi();
  const range = rangeOf(query.get('range'));
  const endRaw = query.get('end');
  const end = parseEnd(endRaw, Date.now());
  const live = end === undefined;

  const [meta, reloadMeta] = useResource(async (signal) => {
    const [service, series] = await Promise.all([getService(api, name, signal), listSeries(api, name, signal)]);
    return { service, series };
  }, [api, name]);
  const [health, reloadHealth] = useResource((signal) => getServiceHealth(api, name, end, signal), [api, name, end]);
  const series = meta.data?.series;
  const [view, reloadView] = useResource(
    (signal) => (series ? loadServiceView(api, name, series, range, end, Date.now(), signal) : Promise.resolve(undefined)),
    [api, name, range.key, end, series],
  );
  const refresh = useCallback(() => {
    if (!live) return;
    reloadHealth();
    reloadMeta(); // new series arrive; the charts reload with them
  }, [live, reloadHealth, reloadMeta]);
  useRefresh(refresh, refreshMs);

  if (meta.state === 'error' && meta.error instanceof ApiError && meta.error.status === 404) {
    return (
      <div class="page-head">
        <h1>{name}</h1>
        <p class="alert" role="alert">
          {meta.error.message}. <a href={formatHash('/services')}>See the registered services</a>
        </p>
      </div>
    );
  }
  const svc = meta.data?.service;
  return (
    <div class="service-page">
      <header class="page-head">
        <h1>{name}</h1>
        {svc && (
          <p class="muted">
            {svc.type} · {svc.ownerTeam ? `owned by ${svc.ownerTeam}` : 'no owner team'} · {svc.status}
            {svc.lastSeen ? ` · data last arrived ${formatDateTime(svc.lastSeen)}` : ' · no data yet'}
          </p>
        )}
      </header>
      {meta.state === 'error' && <LoadError what="the service" error={meta.error} onRetry={reloadMeta} />}

      <HealthPanel health={health} live={live} />

      <section class="panel" aria-labelledby="metrics-title" aria-busy={view.state === 'loading'}>
        <div class="panel__head">
          <h2 id="metrics-title">Metrics</h2>
          <RangePicker name={name} current={range} />
        </div>
        {!live && end !== undefined && (
          <p class="history-note">
            Showing the {range.label} to {formatDateTime(end)}. <a href={serviceHref(name, { range: range.key })}>Back to live</a>
          </p>
        )}
        {view.state === 'error' && <LoadError what="the charts" error={view.error} onRetry={reloadView} />}
        {view.data ? (
          <Charts view={view.data} range={range} thresholds={health.data?.parts ?? []} />
        ) : (
          view.state !== 'error' && <p class="muted">Loading the charts…</p>
        )}
      </section>

      {view.data && <Episodes view={view.data} name={name} />}
    </div>
  );
}

function RangePicker({ name, current }: { name: string; current: Range }) {
  return (
    <nav class="range-picker" aria-label="Time range">
      {ranges.map((r) => (
        <a key={r.key} href={serviceHref(name, { range: r.key })} aria-current={r === current ? 'true' : undefined} title={`The last ${r.label}`}>
          {r.key}
        </a>
      ))}
    </nav>
  );
}

function Charts({ view, range, thresholds }: { view: ServiceView; range: Range; thresholds: readonly HealthPart[] }) {
  const { window: w, reach } = view;
  const period = w.live ? `the last ${range.label}` : `the ${range.label} to ${formatDateTime(w.to)}`;
  return (
    <div class="charts">
      {view.charts.map((c) =>
        c.state === 'ok' ? (
          <MetricChart
            key={c.spec.key}
            chart={c}
            from={w.from}
            to={w.to}
            reach={reach}
            period={period}
            episodes={view.episodes ?? []}
            threshold={thresholdOf(c.spec.metrics, thresholds)}
          />
        ) : (
          <figure key={c.spec.key} class="chart" data-chart={c.spec.key}>
            <figcaption class="chart__head">
              <h3>{c.spec.title}</h3>
            </figcaption>
            <p class="alert" role="alert">
              Could not load this chart: {c.message}
            </p>
          </figure>
        ),
      )}
    </div>
  );
}

function Episodes({ view, name }: { view: ServiceView; name: string }) {
  const now = Date.now();
  return (
    <section class="panel" aria-labelledby="episodes-title">
      <div class="panel__head">
        <h2 id="episodes-title">Anomaly episodes in this range</h2>
        <a href={formatHash(anomaliesPath, { service: name })}>All episodes of {name}</a>
      </div>
      {view.episodesError !== undefined ? (
        <p class="alert" role="alert">
          Could not read the anomaly episodes: {view.episodesError}
        </p>
      ) : view.episodes && view.episodes.length > 0 ? (
        <ul class="episodes">
          {view.episodes.map((a) => (
            <EpisodeItem key={a.id} episode={a} now={now} showService={false} />
          ))}
        </ul>
      ) : (
        <p class="empty">No anomaly episodes in this range.</p>
      )}
    </section>
  );
}
