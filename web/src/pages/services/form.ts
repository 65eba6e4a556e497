// The registration form's logic, apart from its markup so that it can be
// tested: reading the form into a request and placing the API's errors next
// to the fields they are about.
//
// The API owns the rules (name syntax, types, label names): the form checks
// only what the API cannot see — that a name was typed and that the labels
// text reads as key=value lines — so the two can never disagree.

import type { ApiError } from '../../api/client';
import type { NewService } from '../../api/services';

/** What the form's inputs hold. */
export interface ServiceForm {
  name: string;
  type: string;
  ownerTeam: string;
  status: string;
  /** One key=value per line. */
  labels: string;
}

export type FormField = keyof ServiceForm;
export type FieldErrors = Partial<Record<FormField, string>>;

export const emptyForm: ServiceForm = { name: '', type: 'api', ownerTeam: '', status: 'active', labels: '' };

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** toRequest reads the form into the body of POST /api/v1/services. */
export function toRequest(form: ServiceForm): Parsed<NewService> {
  const errors: FieldErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'Enter a name for the service.';
  const labels = parseLabels(form.labels);
  if (!labels.ok) errors.labels = labels.error;
  if (errors.name !== undefined || !labels.ok) return { ok: false, errors };
  return {
    ok: true,
    value: { name, type: form.type, status: form.status, owner_team: form.ownerTeam.trim(), labels: labels.value },
  };
}

/**
 * parseLabels reads one key=value per line. Blank lines are skipped and
 * spaces around keys and values trimmed; a line without "=", an empty key or
 * a key given twice is an error naming the line.
 */
export function parseLabels(text: string): { ok: true; value: Record<string, string> } | { ok: false; error: string } {
  // A Map, not an object: a key such as "__proto__" must stay a label.
  const labels = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const n = i + 1;
    const eq = line.indexOf('=');
    if (eq < 0) return { ok: false, error: `Line ${n}: write each label as key=value (got "${line}").` };
    const key = line.slice(0, eq).trim();
    if (key === '') return { ok: false, error: `Line ${n}: the label name before "=" is missing.` };
    if (labels.has(key)) return { ok: false, error: `Line ${n}: label "${key}" is given twice.` };
    labels.set(key, line.slice(eq + 1).trim());
  }
  return { ok: true, value: Object.fromEntries(labels) };
}

/**
 * fieldOf maps a field named by the API ("owner_team", "labels.env") to the
 * form input that holds it; undefined when no input does.
 */
export function fieldOf(apiField: string | undefined): FormField | undefined {
  switch (apiField) {
    case 'name':
    case 'type':
    case 'status':
      return apiField;
    case 'owner_team':
      return 'ownerTeam';
  }
  if (apiField === 'labels' || apiField?.startsWith('labels.')) return 'labels';
  return undefined;
}

/**
 * placeError puts an API error next to its field, or returns it as a
 * message for the whole form when it names none.
 */
export function placeError(err: ApiError): { fields: FieldErrors; form: string | undefined } {
  const field = fieldOf(err.field);
  if (field) return { fields: { [field]: err.message }, form: undefined };
  return { fields: {}, form: err.message };
}
