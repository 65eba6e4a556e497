import type { HealthStatus, ServiceHealth } from '../api/services';
import { StatusBadge, type Tone } from './StatusBadge';
import './health-grade.css';

const statuses: Record<HealthStatus, { tone: Tone; label: string }> = {
  healthy: { tone: 'ok', label: 'Healthy' },
  degraded: { tone: 'warn', label: 'Degraded' },
  critical: { tone: 'bad', label: 'Critical' },
  no_data: { tone: 'neutral', label: 'No data' },
};

/** healthLabel is a health status in words. */
export function healthLabel(status: HealthStatus): string {
  return statuses[status].label;
}

/**
 * HealthGrade shows a service's grade as a large letter, its score out of
 * 100 and its status in words: the verdict first, the reasons (the parts)
 * are for the caller to show next to it.
 */
export function HealthGrade({ health }: { health: ServiceHealth }) {
  const s = statuses[health.status];
  const grade = health.score === null ? '–' : health.grade;
  return (
    <div class={`health-grade health-grade--${s.tone}`}>
      <span class="health-grade__letter" aria-label={`Grade ${grade}`}>
        {grade}
      </span>
      <span class="health-grade__text">
        <span class="health-grade__score">{health.score === null ? 'No score' : `${health.score} / 100`}</span>
        <StatusBadge tone={s.tone} label={s.label} />
      </span>
    </div>
  );
}
