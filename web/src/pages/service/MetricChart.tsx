import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import type { Plot } from '../../charts/plot';
import { buildTimeline, episodeSpans, summarise, type Episode } from '../../charts/timeline';
import { formatDateTime } from '../../ui/format';
import { formatValue } from '../../ui/metrics';
import type { ChartData } from './load';

interface Props {
  chart: Extract<ChartData, { state: 'ok' }>;
  /** The x range (epoch ms): the window, plus the forecast's reach. */
  from: number;
  to: number;
  /** Where the data ends (epoch ms) when the chart reaches past it. */
  now: number | undefined;
  /** The window in words: "the last 24 hours". */
  period: string;
  episodes: readonly Episode[];
}

/** The line colours, in legend order (tokens in base.css). */
const lineTokens = ['--chart-1', '--chart-2', '--chart-3'];
const chartHeight = 200;

/**
 * MetricChart draws one chart of a service's metrics: a line per metric
 * (the step average) in a band from the step's minimum to its maximum,
 * episodes shaded by severity, and the forecast with its 80% and 95%
 * intervals. The legend under it reads the values at the cursor, or the
 * latest ones; the chart's accessible name says the same in words.
 */
export function MetricChart({ chart, from, to, now, period, episodes }: Props) {
  const { spec, lines, forecast } = chart;
  const box = useRef<HTMLDivElement>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [failed, setFailed] = useState<string>();

  const timeline = useMemo(
    () =>
      buildTimeline(
        lines.map((l) => l.result.points),
        forecast?.forecast ?? [],
        from / 1000,
        to / 1000,
        Math.max(...lines.map((l) => l.result.stepSeconds), 0),
      ),
    [lines, forecast, from, to],
  );
  const spans = useMemo(() => episodeSpans(episodes, spec.metrics, from / 1000, to / 1000), [episodes, spec.metrics, from, to]);
  const hasData = lines.some((l) => l.result.points.length > 0);

  useEffect(() => {
    const el = box.current;
    if (!el || !hasData) return;
    let plot: Plot | undefined;
    let cancelled = false;
    import('../../charts/plot').then(
      ({ createPlot }) => {
        if (cancelled) return;
        const css = getComputedStyle(document.documentElement);
        const token = (name: string) => css.getPropertyValue(name).trim();
        plot = createPlot(el, {
          timeline,
          lines: lines.map((l, i) => ({ label: l.metric, color: token(lineTokens[i % lineTokens.length] ?? '--chart-1') })),
          forecastColor: token('--chart-forecast'),
          from: from / 1000,
          to: to / 1000,
          now: now === undefined ? undefined : now / 1000,
          spans,
          severityColors: { low: token('--sev-low'), medium: token('--sev-medium'), high: token('--sev-high'), critical: token('--sev-critical') },
          axisColor: token('--muted'),
          gridColor: token('--chart-grid'),
          formatValue: (v) => formatValue(spec.unit, v),
          binary: spec.unit === 'bytes',
          height: chartHeight,
          onCursor: setCursor,
          syncKey: 'service',
        });
      },
      (err: unknown) => !cancelled && setFailed(`The chart code did not load: ${err instanceof Error ? err.message : String(err)}`),
    );
    return () => {
      cancelled = true;
      plot?.destroy();
    };
  }, [timeline, spans, hasData]);

  const at = cursor === null ? undefined : timeline.x[cursor];
  const summary = describe(chart, period);
  return (
    <figure class="chart" data-chart={spec.key} aria-labelledby={`chart-${spec.key}-title`}>
      <figcaption class="chart__head">
        <h3 id={`chart-${spec.key}-title`}>{spec.title}</h3>
        <span class="chart__at muted">{at !== undefined ? formatDateTime(at * 1000) : 'latest'}</span>
      </figcaption>
      {failed && (
        <p class="alert" role="alert">
          {failed}
        </p>
      )}
      {hasData ? (
        <div class="chart__plot" ref={box} role="img" aria-label={summary} />
      ) : (
        <p class="chart__empty">
          {lines.length === 0 ? `This service sends no ${spec.metrics.join(', ')}.` : `No ${spec.metrics.join(', ')} data in ${period}.`}
        </p>
      )}
      <ul class="chart__legend" aria-label={`${spec.title} legend`}>
        {lines.map((l, i) => (
          <li key={l.metric}>
            <span class={`swatch swatch--line swatch--${i % lineTokens.length}`} aria-hidden="true" />
            <code>{l.metric}</code>
            <span class="chart__value">{valueAt(l.result.points, timeline.lines[i]?.avg, cursor, spec.unit)}</span>
          </li>
        ))}
        {timeline.forecast && forecast && (
          <li title={forecast.model.summary}>
            <span class="swatch swatch--forecast" aria-hidden="true" />
            forecast <code>{spec.forecast}</code> (80/95%)
            {cursor !== null && typeof timeline.forecast.yhat[cursor] === 'number' && (
              <span class="chart__value">{formatValue(spec.unit, timeline.forecast.yhat[cursor] as number)}</span>
            )}
          </li>
        )}
        {spans.length > 0 && (
          <li>
            <span class="swatch swatch--anomaly" aria-hidden="true" />
            anomaly
          </li>
        )}
        {chart.missing.length > 0 && lines.length > 0 && <li class="muted">no {chart.missing.join(', ')}</li>}
      </ul>
    </figure>
  );
}

/** valueAt is a line's value at the cursor, or its latest when the cursor is away. */
function valueAt(points: readonly { avg: number }[], column: readonly (number | null | undefined)[] | undefined, cursor: number | null, unit: Parameters<typeof formatValue>[0]): string {
  if (cursor === null) {
    const last = points[points.length - 1];
    return last ? formatValue(unit, last.avg) : '–';
  }
  const v = column?.[cursor];
  return typeof v === 'number' ? formatValue(unit, v) : '–';
}

/** describe says in words what the chart shows, for screen readers. */
function describe(chart: Extract<ChartData, { state: 'ok' }>, period: string): string {
  const parts = chart.lines.map((l) => {
    const s = summarise(l.result.points);
    if (s.latest === undefined || s.min === undefined || s.max === undefined) return `${l.metric}: no data`;
    const f = (v: number) => formatValue(chart.spec.unit, v);
    return `${l.metric} latest ${f(s.latest)}, lowest ${f(s.min)}, highest ${f(s.max)}`;
  });
  return `${chart.spec.title} over ${period}: ${parts.join('; ')}.`;
}
