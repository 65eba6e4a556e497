import type { Service } from '../../api/services';
import { formatDateTime, relativeTime } from '../../ui/format';
import { serviceHref } from '../service/links';
import { StatusBadge, type Tone } from '../../ui/StatusBadge';

interface Props {
  services: Service[];
  /** The time relative dates are shown against. */
  now: number;
  onRemove: (svc: Service) => void;
}

/** ServiceTable lists registered services, one row each. */
export function ServiceTable({ services, now, onRemove }: Props) {
  return (
    <div class="table-wrap">
      <table class="services-table">
        <caption class="sr-only">Registered services</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Owner team</th>
            <th scope="col">Status</th>
            <th scope="col">Labels</th>
            <th scope="col">Last seen</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {services.map((svc) => (
            <tr key={svc.name}>
              <th scope="row" class="services-table__name">
                <a href={serviceHref(svc.name)}>{svc.name}</a>
              </th>
              <td>{svc.type}</td>
              <td>{svc.ownerTeam || <span class="muted">none</span>}</td>
              <td>
                <StatusBadge tone={statusTone[svc.status] ?? 'neutral'} label={capitalise(svc.status)} />
              </td>
              <td>
                <Labels labels={svc.labels} />
              </td>
              <td>
                {svc.lastSeen ? (
                  <time dateTime={svc.lastSeen} title={formatDateTime(svc.lastSeen)}>
                    {relativeTime(svc.lastSeen, now)}
                  </time>
                ) : (
                  <span class="muted">never</span>
                )}
              </td>
              <td class="services-table__actions">
                <button type="button" class="btn btn--quiet btn--quiet-danger" aria-label={`Remove ${svc.name}`} onClick={() => onRemove(svc)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const statusTone: Record<string, Tone> = { active: 'ok', maintenance: 'warn', retired: 'neutral' };

function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="labels">
      {entries.map(([k, v]) => (
        <li key={k}>
          <code>
            {k}={v}
          </code>
        </li>
      ))}
    </ul>
  );
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
