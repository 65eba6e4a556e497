// Addresses of the service page, for every page that links to it.

import { formatHash } from '../../router/hash';
import { defaultRange, episodeView, type RangeKey } from './range';

export const servicePattern = '/services/:name';

/** The service page of name, showing range ending at end (Unix seconds; undefined: live). */
export function serviceHref(name: string, view: { range?: RangeKey | undefined; end?: number | undefined } = {}): string {
  const range = view.range === defaultRange ? undefined : view.range;
  return formatHash('/services/' + encodeURIComponent(name), { range, end: view.end });
}

/** episodeHref is the service page around an anomaly episode (times in epoch ms). */
export function episodeHref(e: { service: string; start: number; end: number }, now: number): string {
  return serviceHref(e.service, episodeView(e.start, e.end, now));
}
