import './status-badge.css';

/** Tone is what a status means, shown by colour and by icon shape. */
export type Tone = 'ok' | 'bad' | 'warn' | 'neutral';

/**
 * StatusBadge shows a status as text with an icon whose shape differs by
 * tone, so the status never rests on colour alone.
 */
export function StatusBadge({ tone, label }: { tone: Tone; label: string }) {
  return (
    <span class={`status-badge status-badge--${tone}`}>
      <svg class="status-badge__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <path d={icons[tone]} />
      </svg>
      {label}
    </span>
  );
}

// 16×16 strokes: a tick, a cross, an exclamation mark and a dash.
const icons: Record<Tone, string> = {
  ok: 'M3.5 8.5l3 3 6-7',
  bad: 'M4.5 4.5l7 7M11.5 4.5l-7 7',
  warn: 'M8 3.5v6M8 12.2v.3',
  neutral: 'M4 8h8',
};
