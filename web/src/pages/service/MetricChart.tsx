import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import { useApi } from '../../api/context';
import { forecastNow, type ForecastPoint } from '../../api/forecasts';
import type { Plot } from '../../charts/plot';
import { buildTimeline, episodeSpans, summarise, type Episode } from '../../charts/timeline';
import { formatDateTime } from '../../ui/format';
import { formatValue } from '../../ui/metrics';
import type { ChartData, ChartLine } from './load';
import type { Threshold } from './charts';
import { instantHorizon } from './range';

interface Props {
  chart: Extract<ChartData, { state: 'ok' }>;
  /** The window (epoch ms). */
  from: number;
  to: number;
  /** How far past the window a forecast may continue the chart (ms); 0: not at all. */
  reach: number;
  /** The window in words: "the last 24 hours". */
  period: string;
  episodes: readonly Episode[];
  /** The health score's thresholds of a metric the chart draws, if any. */
  threshold: Threshold | undefined;
}


/** A forecast as the chart draws it: stored by the forecaster, or made on request. */
interface ShownForecast {
  points: readonly ForecastPoint[];
  /** The model and its notes, in words. */
  summary: string;
  madeNow: boolean;
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
export function MetricChart({ chart, from, to: windowTo, reach, period, episodes, threshold }: Props) {
  const { spec, lines } = chart;
  const api = useApi();
  const box = useRef<HTMLDivElement>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [failed, setFailed] = useState<string>();
  const [instant, setInstant] = useState<{ state: 'busy' } | { state: 'error'; message: string } | ({ state: 'ok' } & ShownForecast)>();

  // A forecast made for one range does not reach far enough for a longer one.
  const span = windowTo - from;
  useEffect(() => setInstant(undefined), [span]);

  // Memoised: a new object would redraw the chart on every cursor move.
  const stored = chart.forecast;
  const forecast = useMemo((): ShownForecast | undefined => {
    if (reach <= 0) return undefined;
    if (stored) return { points: stored.forecast, summary: modelText(stored.model.summary, stored.model.notes), madeNow: false };
    return instant?.state === 'ok' ? instant : undefined;
  }, [reach, stored, instant]);
  const to = forecast ? windowTo + reach : windowTo;
  const now = forecast ? windowTo : undefined;
  // The capacity threshold the stored forecast was checked against, while the forecast shows.
  const breach = forecast && !forecast.madeNow ? chart.forecast?.breach : undefined;
  const forecastSeries = lines.find((l) => l.metric === spec.forecast)?.series;

  const makeForecast = async () => {
    if (!forecastSeries) return;
    setInstant({ state: 'busy' });
    try {
      const f = await forecastNow(api, forecastSeries.id, instantHorizon(reach));
      setInstant({ state: 'ok', points: f.forecast, summary: modelText(f.summary, f.notes), madeNow: true });
    } catch (err) {
      setInstant({ state: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  };

  const timeline = useMemo(
    () =>
      buildTimeline(
        lines.map((l) => l.result.points),
        forecast?.points ?? [],
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
          lines: lines.map((l) => ({ label: l.metric, color: token(lineTokens[colourOf(spec.metrics, l.metric)] ?? '--chart-1') })),
          forecastColor: token('--chart-forecast'),
          from: from / 1000,
          to: to / 1000,
          now: now === undefined ? undefined : now / 1000,
          spans,
          levels: [
            ...(threshold
              ? [
                  { value: threshold.warn, color: token('--warn') },
                  { value: threshold.critical, color: token('--bad') },
                ]
              : []),
            ...(breach ? [{ value: breach.threshold, color: token('--chart-forecast') }] : []),
          ],
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
  }, [timeline, spans, hasData, threshold?.warn, threshold?.critical, breach?.threshold]);

  const at = cursor === null ? lastTime(lines) : timeline.x[cursor];
  const summary = describe(chart, period);
  return (
    <figure class="chart" data-chart={spec.key} aria-labelledby={`chart-${spec.key}-title`}>
      <figcaption class="chart__head">
        <h3 id={`chart-${spec.key}-title`}>{spec.title}</h3>
        <span class="chart__at muted">{at !== undefined && (cursor === null ? `latest: ${formatDateTime(at * 1000)}` : formatDateTime(at * 1000))}</span>
      </figcaption>
      {failed && (
        <p class="alert" role="alert">
          {failed}
        </p>
      )}
      {instant?.state === 'error' && (
        <p class="alert" role="alert">
          Could not forecast {spec.forecast}: {instant.message}
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
            <span class={`swatch swatch--line swatch--${colourOf(spec.metrics, l.metric)}`} aria-hidden="true" />
            <code>{l.metric}</code>
            <span class="chart__value">{valueAt(l.result.points, timeline.lines[i]?.avg, cursor, spec.unit)}</span>
          </li>
        ))}
        {timeline.forecast && forecast && (
          <li title={`Model: ${forecast.summary}`}>
            <span class="swatch swatch--forecast" aria-hidden="true" />
            {forecast.madeNow ? 'forecast made now' : 'forecast'} <code>{spec.forecast}</code> (80/95%)
            {cursor !== null && typeof timeline.forecast.yhat[cursor] === 'number' && (
              <span class="chart__value">{formatValue(spec.unit, timeline.forecast.yhat[cursor] as number)}</span>
            )}
          </li>
        )}
        {reach > 0 && !forecast && forecastSeries && hasData && (
          <li>
            <button type="button" class="btn btn--quiet" onClick={makeForecast} disabled={instant?.state === 'busy'} title={`No stored forecast of ${spec.forecast} yet; fit one from its hourly history now`}>
              {instant?.state === 'busy' ? 'Forecasting…' : `Forecast ${spec.forecast}`}
            </button>
          </li>
        )}
        {spans.length > 0 && hasData && (
          <li>
            <span class="swatch swatch--anomaly" aria-hidden="true" />
            anomaly
          </li>
        )}
        {threshold && hasData && (
          <li title={`The health score's thresholds for ${threshold.metric}`}>
            <span class="swatch swatch--levels" aria-hidden="true" />
            warn {formatValue(spec.unit, threshold.warn)} · critical {formatValue(spec.unit, threshold.critical)}
          </li>
        )}
        {breach && hasData && (
          <li title="The capacity threshold the forecast is checked against">
            <span class="swatch swatch--capacity" aria-hidden="true" />
            capacity {breach.direction} {formatValue(spec.unit, breach.threshold)}
            {breach.earliest !== null && <>, possibly from {formatDateTime(breach.earliest)}</>}
          </li>
        )}
        {chart.missing.length > 0 && lines.length > 0 && <li class="muted">no {chart.missing.join(', ')}</li>}
      </ul>
    </figure>
  );
}

/**
 * colourOf is a line's colour by its metric's place in the chart's spec, so
 * that p95 latency has the same colour on every service's page, also where
 * p50 is missing.
 */
function colourOf(metrics: readonly string[], metric: string): number {
  return Math.max(0, metrics.indexOf(metric)) % lineTokens.length;
}

/** modelText is a forecast model's summary with its notes, for the legend's tooltip. */
function modelText(summary: string, notes: readonly string[]): string {
  return [summary, ...notes].join('; ');
}

/** lastTime is when the latest bucket of any line starts (epoch seconds). */
function lastTime(lines: readonly ChartLine[]): number | undefined {
  const ts = lines.map((l) => l.result.points[l.result.points.length - 1]?.t).filter((t): t is number => t !== undefined);
  return ts.length > 0 ? Math.max(...ts) : undefined;
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
