// The one module that uses uPlot (a small canvas chart library: fast with
// thousands of points, ~50 KB). Pages load it on demand with import(), so
// the pages without charts never download it.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import type { Severity } from '../api/anomalies';
import type { Cell, Span, Timeline } from './timeline';
import './plot.css';

export interface PlotLine {
  label: string;
  /** A CSS colour (#rrggbb). */
  color: string;
}

export interface PlotOptions {
  timeline: Timeline;
  /** One per timeline line. */
  lines: readonly PlotLine[];
  /** The forecast's colour, when the timeline has one. */
  forecastColor: string;
  /** The x range, epoch seconds (the window plus any forecast reach). */
  from: number;
  to: number;
  /** Where the data ends and the forecast begins; undefined: no marker. */
  now: number | undefined;
  /** Anomaly episodes to shade. */
  spans: readonly Span[];
  /** Levels drawn as dashed horizontal lines (the health score's warn and critical thresholds). */
  levels: readonly { value: number; color: string }[];
  severityColors: Record<Severity, string>;
  /** Axis and grid colours. */
  axisColor: string;
  gridColor: string;
  formatValue: (v: number) => string;
  /** Place value ticks at powers of two (bytes: 512 MiB, 1 GiB), not of ten. */
  binary: boolean;
  height: number;
  /** Called with the data index under the cursor, or null when it leaves. */
  onCursor: (idx: number | null) => void;
  /** Charts with the same key show the cursor at the same time. */
  syncKey: string;
}

export interface Plot {
  destroy(): void;
}

/** createPlot draws a chart into el, sized to el's width and kept so as el resizes. */
export function createPlot(el: HTMLElement, o: PlotOptions): Plot {
  const { timeline } = o;
  const series: uPlot.Series[] = [{}];
  const data: Cell[][] = [];
  const bands: uPlot.Band[] = [];
  const hidden = { stroke: 'transparent', width: 0, points: { show: false } };

  for (const [i, line] of o.lines.entries()) {
    const d = timeline.lines[i];
    if (!d) continue;
    const base = series.length;
    series.push({ label: line.label, stroke: line.color, width: 1.5, points: { show: false } });
    series.push({ label: `${line.label} min`, ...hidden });
    series.push({ label: `${line.label} max`, ...hidden });
    data.push(d.avg, d.min, d.max);
    bands.push({ series: [base + 2, base + 1], fill: withAlpha(line.color, 0.16) });
  }
  if (timeline.forecast) {
    const f = timeline.forecast;
    const base = series.length;
    series.push({ label: 'forecast', stroke: o.forecastColor, width: 1.5, dash: [6, 4], points: { show: f.yhat.filter((v) => typeof v === 'number').length < 2 } });
    for (const name of ['lo80', 'hi80', 'lo95', 'hi95']) series.push({ label: `forecast ${name}`, ...hidden });
    data.push(f.yhat, f.lo80, f.hi80, f.lo95, f.hi95);
    bands.push({ series: [base + 4, base + 3], fill: withAlpha(o.forecastColor, 0.12) });
    bands.push({ series: [base + 2, base + 1], fill: withAlpha(o.forecastColor, 0.22) });
  }

  const axis = {
    stroke: o.axisColor,
    grid: { stroke: o.gridColor, width: 1 },
    ticks: { stroke: o.gridColor, width: 1 },
  };
  const opts: uPlot.Options = {
    width: Math.max(200, el.clientWidth),
    height: o.height,
    legend: { show: false },
    cursor: { sync: { key: o.syncKey }, drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: () => [o.from, o.to] },
      // Operations metrics are not negative: a zero baseline keeps noise from looking like an outage.
      y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      { ...axis, values: (_u, splits, _i, _space, incr) => timeLabels(splits, incr) },
      {
        ...axis,
        // Wide enough for the longest label ("2.79 GiB", "150%") at uPlot's
        // 12px font, plus the tick and the gap before it.
        size: (_u, values) => Math.max(48, 26 + 7 * Math.max(0, ...(values ?? []).map((v) => v.length))),
        values: (_u, splits) => splits.map(o.formatValue),
        ...(o.binary && { incrs: binaryIncrs }),
      },
    ],
    series,
    bands,
    hooks: {
      drawClear: [(u) => shade(u, o)],
      setCursor: [(u) => o.onCursor(u.cursor.idx ?? null)],
    },
  };
  const plot = new uPlot(opts, [timeline.x, ...data] as uPlot.AlignedData, el);

  const resize = new ResizeObserver(() => {
    const width = Math.max(200, el.clientWidth);
    if (width !== plot.width) plot.setSize({ width, height: o.height });
  });
  resize.observe(el);
  return {
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

/**
 * shade paints under the lines: the anomaly spans, the threshold levels,
 * and the boundary between data and forecast.
 */
function shade(u: uPlot, o: PlotOptions) {
  const { ctx, bbox } = u;
  const dpr = uPlot.pxRatio;
  ctx.save();
  for (const s of o.spans) {
    const color = o.severityColors[s.severity];
    let x0 = u.valToPos(s.start, 'x', true);
    let x1 = u.valToPos(s.end, 'x', true);
    // A one-minute episode on a 14-day chart is narrower than a pixel; keep it visible.
    const minWidth = 3 * dpr;
    if (x1 - x0 < minWidth) {
      const mid = (x0 + x1) / 2;
      x0 = mid - minWidth / 2;
      x1 = mid + minWidth / 2;
    }
    x0 = Math.max(bbox.left, x0);
    x1 = Math.min(bbox.left + bbox.width, x1);
    if (x1 <= x0) continue;
    ctx.fillStyle = withAlpha(color, s.involved ? 0.22 : 0.1);
    ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
    // A solid strip on top says "anomaly" even where the fill is faint.
    ctx.fillStyle = color;
    ctx.fillRect(x0, bbox.top, x1 - x0, 3 * dpr);
  }
  for (const l of o.levels) {
    const y = Math.round(u.valToPos(l.value, 'y', true));
    if (y < bbox.top || y > bbox.top + bbox.height) continue; // off the chart: the legend names it
    ctx.strokeStyle = l.color;
    ctx.lineWidth = dpr;
    ctx.setLineDash([6 * dpr, 4 * dpr]);
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
  }
  if (o.now !== undefined && o.now < o.to) {
    const x = Math.round(u.valToPos(o.now, 'x', true));
    ctx.strokeStyle = o.axisColor;
    ctx.lineWidth = dpr;
    ctx.setLineDash([3 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}

// Tick steps for byte values: 1, 2, 4 … 512 of each binary unit.
const binaryIncrs = Array.from({ length: 60 }, (_, i) => 2 ** i);

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const day = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

/**
 * timeLabels labels time ticks (epoch seconds) on a 24-hour clock, with the
 * date under the first tick of each day; ticks a day or more apart show
 * the date alone.
 */
function timeLabels(splits: number[], incr: number): string[] {
  return splits.map((t, i) => {
    const d = day.format(t * 1000);
    if (incr >= 86_400) return d;
    const prev = i > 0 ? day.format((splits[i - 1] ?? 0) * 1000) : '';
    return d !== prev ? `${clock.format(t * 1000)}\n${d}` : clock.format(t * 1000);
  });
}

/** withAlpha is a #rrggbb colour with opacity a; other colours pass unchanged. */
export function withAlpha(color: string, a: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color.trim());
  if (!m) return color;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h ?? '0', 16));
  return `rgba(${r}, ${g}, ${b}, ${a})`;
}
