import { useApi } from '../../api/context';
import { getHealth, type Check, type Health } from '../../api/platform';
import { formatLatency } from '../../ui/format';
import { useRefresh, useResource } from '../../ui/resource';
import { StatusBadge } from '../../ui/StatusBadge';

/** How often the panel checks health again while the page is visible. */
const refreshMs = 30_000;

/** HealthPanel shows /api/v1/health: overall status and each dependency. */
export function HealthPanel() {
  const api = useApi();
  const [health, reload] = useResource((signal) => getHealth(api, signal), [api]);
  useRefresh(reload, refreshMs);

  return (
    <section class="panel health" aria-labelledby="health-title" aria-busy={health.state === 'loading'}>
      <div class="panel__head">
        <h2 id="health-title">Platform health</h2>
        <button type="button" class="btn btn--quiet" onClick={reload} disabled={health.state === 'loading'}>
          {health.state === 'loading' && health.data ? 'Checking…' : 'Check again'}
        </button>
      </div>
      {health.state === 'error' && (
        <p class="alert" role="alert">
          Could not check health: {health.error.message}
        </p>
      )}
      {health.data ? <Report health={health.data} /> : health.state === 'loading' && <p class="muted">Checking…</p>}
    </section>
  );
}

function Report({ health }: { health: Health }) {
  const checks = Object.entries(health.checks).sort(([a], [b]) => a.localeCompare(b));
  const down = checks.filter(([, c]) => c.status !== 'ok').map(([name]) => name);
  return (
    <div class="health__body">
      <p class="health__summary">
        {health.status === 'ok' ? <StatusBadge tone="ok" label="Operational" /> : <StatusBadge tone="bad" label="Unavailable" />}
        <span>{health.status === 'ok' ? 'Every dependency answers.' : `Down: ${down.join(', ') || 'unknown'}.`}</span>
      </p>
      <ul class="health__checks">
        {checks.map(([name, check]) => (
          <CheckItem key={name} name={name} check={check} />
        ))}
      </ul>
    </div>
  );
}

function CheckItem({ name, check }: { name: string; check: Check }) {
  return (
    <li class="health__check">
      <span class="health__name">{title(name)}</span>
      {check.status === 'ok' ? <StatusBadge tone="ok" label="OK" /> : <StatusBadge tone="bad" label="Down" />}
      <span class="health__latency" title="Time the check took">
        {formatLatency(check.latencyMs)}
      </span>
      {check.error && <span class="health__error">{check.error}</span>}
    </li>
  );
}

function title(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
