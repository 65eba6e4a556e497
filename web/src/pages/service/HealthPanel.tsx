import type { HealthPart, ServiceHealth } from '../../api/services';
import { formatDateTime } from '../../ui/format';
import { healthReason, partLevel, windowLabel } from '../../ui/health';
import { HealthGrade } from '../../ui/HealthGrade';
import { formatMetric, metricInfo } from '../../ui/metrics';
import type { Resource } from '../../ui/resource';
import { StatusBadge, type Tone } from '../../ui/StatusBadge';

const levels: Record<ReturnType<typeof partLevel>, { tone: Tone; label: string }> = {
  ok: { tone: 'ok', label: 'Within warn' },
  warn: { tone: 'warn', label: 'Past warn' },
  critical: { tone: 'bad', label: 'Critical' },
};

/**
 * HealthPanel is a service's health verdict and its reasons: the grade,
 * one sentence on what holds it back, and each part against its
 * thresholds, with the formula one click away.
 */
export function HealthPanel({ health, live }: { health: Resource<ServiceHealth>; live: boolean }) {
  const h = health.data;
  return (
    <section class="panel service-health" aria-labelledby="service-health-title" aria-busy={health.state === 'loading'}>
      <div class="panel__head">
        <h2 id="service-health-title">Health</h2>
        {h && (
          <span class="muted">
            Averages over {windowLabel(h.window)} {live ? 'to now' : `to ${formatDateTime(h.at)}`}
          </span>
        )}
      </div>
      {health.state === 'error' && (
        <p class="alert" role="alert">
          Could not read the health score: {health.error.message}
        </p>
      )}
      {h ? (
        <div class="service-health__body">
          <div class="service-health__verdict">
            <HealthGrade health={h} />
            <p class="service-health__reason">{healthReason(h)}</p>
          </div>
          {h.parts.length > 0 && <PartsTable parts={h.parts} />}
          <details class="service-health__formula">
            <summary>How the score is computed</summary>
            <p>
              <code>{h.formula}</code>
            </p>
          </details>
        </div>
      ) : (
        health.state === 'loading' && <p class="muted">Reading the health score…</p>
      )}
    </section>
  );
}

function PartsTable({ parts }: { parts: HealthPart[] }) {
  return (
    <div class="table-wrap">
      <table class="parts-table">
        <caption class="sr-only">Parts of the health score</caption>
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col">Value</th>
            <th scope="col">Warn at</th>
            <th scope="col">Critical at</th>
            <th scope="col">Weight</th>
            <th scope="col">Part score</th>
          </tr>
        </thead>
        <tbody>
          {parts.map((p) => {
            const level = levels[partLevel(p)];
            const f = (v: number) => formatMetric(p.name, v);
            return (
              <tr key={p.name}>
                <th scope="row">
                  {metricInfo(p.name).title} <code class="muted">{p.name}</code>
                </th>
                <td class="num">
                  {f(p.value)} <StatusBadge tone={level.tone} label={level.label} />
                </td>
                <td class="num">{f(p.warn)}</td>
                <td class="num">{f(p.critical)}</td>
                <td class="num">{p.weight}</td>
                <td class="num">{Math.round(p.score)} / 100</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
