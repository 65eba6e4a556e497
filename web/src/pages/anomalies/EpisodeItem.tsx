import { Fragment } from 'preact';

import type { Anomaly } from '../../api/anomalies';
import { formatDateTime, relativeTime } from '../../ui/format';
import { SeverityBadge } from '../../ui/SeverityBadge';
import { StatusBadge } from '../../ui/StatusBadge';
import { episodeHref } from '../service/links';
import { episodeLength, peakReading } from './episodes';
import './episode.css';

interface Props {
  episode: Anomaly;
  now: number;
  /** Name the service (off on the service's own page). */
  showService: boolean;
}

/**
 * EpisodeItem is one anomaly episode as an operator reads it: severity and
 * state first, the sentence, then the facts (when, how long, which
 * metrics, the peak) and a link to the service's charts at that time.
 */
export function EpisodeItem({ episode: a, now, showService }: Props) {
  return (
    <li class={`episode episode--${a.severity}`}>
      <div class="episode__head">
        <SeverityBadge severity={a.severity} />
        {a.open ? <StatusBadge tone="warn" label="Open" /> : <StatusBadge tone="neutral" label="Closed" />}
        {showService && <strong class="episode__service">{a.service}</strong>}
        <time class="muted" dateTime={new Date(a.start).toISOString()} title={formatDateTime(a.start)}>
          {relativeTime(new Date(a.start).toISOString(), now)}
        </time>
      </div>
      <p class="episode__sentence">{a.description}</p>
      <dl class="episode__facts">
        <div>
          <dt>Started</dt>
          <dd>{formatDateTime(a.start)}</dd>
        </div>
        <div>
          <dt>{a.open ? 'Going on for' : 'Lasted'}</dt>
          <dd>{episodeLength(a)}</dd>
        </div>
        <div>
          <dt>Metrics</dt>
          <dd>
            {a.metrics.map((m, i) => (
              <Fragment key={m}>
                {i > 0 && ', '}
                <code>{m}</code>
              </Fragment>
            ))}
          </dd>
        </div>
        <div>
          <dt>Peak</dt>
          <dd>{peakReading(a)}</dd>
        </div>
      </dl>
      <a class="episode__link" href={episodeHref(a, now)}>
        {showService ? `Show ${a.service} at that time` : 'Zoom to this episode'}
      </a>
    </li>
  );
}
