import { useApi } from '../../api/context';
import { listBreaches, type Breach } from '../../api/forecasts';
import { formatDateTime, relativeTime } from '../../ui/format';
import { useRefresh, useResource } from '../../ui/resource';
import { StatusBadge } from '../../ui/StatusBadge';
import { LoadError } from '../../ui/LoadError';
import { serviceHref } from '../service/links';
import { bySoonest, soonest, thresholdText } from './capacity';
import './capacity.css';

export const capacityPath = '/capacity';

/** Forecasts are refitted hourly; reading them more often shows nothing new. */
const refreshMs = 5 * 60_000;

/** A breach this close is flagged as urgent. */
const urgentMs = 24 * 3_600_000;

/**
 * CapacityPage lists the predicted capacity breaches, soonest first: when
 * each series' forecast crosses its threshold, from the first possible
 * moment (95% interval) to the moment it is all but certain.
 */
export function CapacityPage() {
  const api = useApi();
  const [breaches, reload] = useResource((signal) => listBreaches(api, signal), [api]);
  useRefresh(reload, refreshMs);
  const now = Date.now();
  return (
    <div class="capacity-page">
      <header class="page-head">
        <h1>Capacity</h1>
        <p class="muted">Where the hourly forecasts cross a capacity threshold, soonest first.</p>
      </header>
      <section class="panel" aria-labelledby="breaches-title" aria-busy={breaches.state === 'loading'}>
        <div class="panel__head">
          <h2 id="breaches-title">Predicted breaches</h2>
        </div>
        {breaches.state === 'error' && <LoadError what="the predicted breaches" error={breaches.error} onRetry={reload} />}
        {breaches.data === undefined ? (
          breaches.state === 'loading' && <p class="muted">Loading predictions…</p>
        ) : breaches.data.length === 0 ? (
          <p class="empty">
            No capacity breach is predicted. Each hour the forecaster fits every series with a day or more of history and checks its forecast against the
            configured capacity thresholds; a crossing within the forecast's horizon appears here.
          </p>
        ) : (
          <BreachTable breaches={bySoonest(breaches.data)} now={now} />
        )}
      </section>
    </div>
  );
}

function BreachTable({ breaches, now }: { breaches: Breach[]; now: number }) {
  return (
    <div class="table-wrap">
      <table class="breaches-table">
        <caption class="sr-only">Predicted capacity breaches, soonest first</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Metric</th>
            <th scope="col">Threshold</th>
            <th scope="col">Possible from (95%)</th>
            <th scope="col">Expected</th>
            <th scope="col">Near certain by</th>
            <th scope="col">Forecast made</th>
          </tr>
        </thead>
        <tbody>
          {breaches.map((b) => {
            const first = soonest(b);
            return (
              <tr key={b.series.id}>
                <th scope="row">
                  <a href={serviceHref(b.series.service, { range: '7d' })}>{b.series.service}</a>
                </th>
                <td>
                  <code>{b.series.metric}</code>
                  {Object.entries(b.series.labels).map(([k, v]) => (
                    <code key={k} class="muted">
                      {' '}
                      {k}={v}
                    </code>
                  ))}
                </td>
                <td>{thresholdText(b)}</td>
                <td>
                  <When at={b.earliest} now={now} />
                  {first - now < urgentMs && (
                    <>
                      {' '}
                      <StatusBadge tone="bad" label="Within a day" />
                    </>
                  )}
                </td>
                <td>
                  <When at={b.expected} now={now} />
                </td>
                <td>
                  <When at={b.certain} now={now} />
                </td>
                <td>
                  <When at={b.generatedAt} now={now} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function When({ at, now }: { at: number | null; now: number }) {
  if (at === null) return <span class="muted">not within the horizon</span>;
  const iso = new Date(at).toISOString();
  return (
    <time dateTime={iso} title={formatDateTime(at)}>
      {relativeTime(iso, now)}
      <span class="when__abs muted">{formatDateTime(at)}</span>
    </time>
  );
}
