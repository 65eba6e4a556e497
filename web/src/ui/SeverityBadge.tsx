import type { Severity } from '../api/anomalies';
import { StatusBadge, type Tone } from './StatusBadge';

const tones: Record<Severity, Tone> = { low: 'neutral', medium: 'warn', high: 'bad', critical: 'bad' };

/** SeverityBadge shows an anomaly's severity in words, with the icon of its tone. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return <StatusBadge tone={tones[severity]} label={severity.charAt(0).toUpperCase() + severity.slice(1)} />;
}
