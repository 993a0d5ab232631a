import clsx from 'clsx';
import { useId, useState, type FormEvent } from 'react';
import { Alert, Button, Field, TextField } from '../../components/ui';
import type {
  CatalogCalendarFieldsFragment,
  SaveBusinessCalendarMutation,
  SaveBusinessCalendarMutationVariables,
} from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';
import {
  COMMON_TIME_ZONES,
  WEEKDAYS,
  calendarErrorFields,
  indexedErrorsByKey,
  mapCatalogErrors,
  type WindowDraft,
} from './catalog';
import {
  calendarInputFromDraft,
  draftFromCalendar,
  emptyCalendarDraft,
  hasDraftErrors,
  newRowKey,
  validateCalendarDraft,
  type CalendarDraft,
  type CalendarDraftErrors,
  type ClosureDraft,
} from './calendarDraft';
import { SAVE_BUSINESS_CALENDAR_MUTATION } from '../../graphql/operations';

const NO_ERRORS: CalendarDraftErrors = { fields: {}, windows: {}, closures: {} };

/** Create (no `calendar`) or edit a business calendar. */
export function CalendarEditor({
  calendar,
  onSaved,
  onCancel,
}: {
  calendar: CatalogCalendarFieldsFragment | null;
  onSaved: (calendar: CatalogCalendarFieldsFragment) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<CalendarDraft>(() => (calendar ? draftFromCalendar(calendar) : emptyCalendarDraft()));
  const [errors, setErrors] = useState<CalendarDraftErrors>(NO_ERRORS);
  const [general, setGeneral] = useState<string[]>([]);
  const [save, saving] = useMutation<SaveBusinessCalendarMutation, SaveBusinessCalendarMutationVariables>(SAVE_BUSINESS_CALENDAR_MUTATION);
  const zonesId = useId();
  const alwaysOpenId = useId();

  const update = (patch: Partial<CalendarDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const updateWindow = (key: string, patch: Partial<WindowDraft>) =>
    setDraft((d) => ({ ...d, windows: d.windows.map((w) => (w.key === key ? { ...w, ...patch } : w)) }));
  const updateClosure = (key: string, patch: Partial<ClosureDraft>) =>
    setDraft((d) => ({ ...d, closures: d.closures.map((c) => (c.key === key ? { ...c, ...patch } : c)) }));

  function addWindow(weekday: number) {
    setDraft((d) => {
      const last = d.windows.filter((w) => w.weekday === weekday).at(-1);
      // A second window starts where a lunch break would end.
      const next = last ? { start: last.end === '24:00' ? '' : last.end, end: '' } : { start: '09:00', end: '17:00' };
      return { ...d, windows: [...d.windows, { key: newRowKey(), weekday, ...next }] };
    });
  }

  function copyMondayToWeekdays() {
    setDraft((d) => {
      const monday = d.windows.filter((w) => w.weekday === 0);
      const others = d.windows.filter((w) => w.weekday === 0 || w.weekday > 4);
      const copies = [1, 2, 3, 4].flatMap((weekday) => monday.map((w) => ({ key: newRowKey(), weekday, start: w.start, end: w.end })));
      return { ...d, windows: [...others, ...copies] };
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral([]);
    const local = validateCalendarDraft(draft);
    setErrors(local);
    if (hasDraftErrors(local)) return;
    const { input, windowKeys, closureKeys } = calendarInputFromDraft(draft);
    const data = await save({ input });
    const payload = data?.saveBusinessCalendar;
    if (!payload) return; // transport error: shown from `saving.error`
    if (payload.errors.length > 0) {
      const mapped = mapCatalogErrors(payload.errors, calendarErrorFields(windowKeys.length, closureKeys.length));
      const fields = Object.fromEntries(Object.entries(mapped.fields).filter(([f]) => !/\.\d+$/.test(f)));
      setErrors({
        fields,
        windows: indexedErrorsByKey(mapped.fields, 'windows', windowKeys),
        closures: indexedErrorsByKey(mapped.fields, 'closures', closureKeys),
      });
      setGeneral(mapped.general);
      return;
    }
    if (payload.calendar) onSaved(payload.calendar);
  }

  const messages = [...general, ...(saving.error ? [saving.error.message] : [])];
  const isNew = draft.id === null;

  return (
    <form className="calendar-form" onSubmit={(e) => void submit(e)} noValidate aria-label={isNew ? 'New calendar' : `Edit ${calendar?.name ?? 'calendar'}`} data-testid="calendar-editor">
      <div className="section-title">{isNew ? 'New business calendar' : `Edit “${calendar?.name}”`}</div>
      {messages.length > 0 && (
        <Alert className="mb" title="The calendar wasn’t saved">
          {messages.join(' ')}
        </Alert>
      )}
      <div className="form-grid">
        <TextField label="Name" value={draft.name} maxLength={120} onChange={(e) => update({ name: e.target.value })} error={errors.fields['name']} data-testid="calendar-name" />
        <Field label="Time zone" hint="IANA name; working hours are local times in this zone." error={errors.fields['timezone']}>
          {({ id, describedBy, invalid }) => (
            <>
              <input
                id={id}
                className="input"
                list={zonesId}
                value={draft.timezone}
                maxLength={64}
                spellCheck={false}
                autoComplete="off"
                placeholder="Europe/London"
                onChange={(e) => update({ timezone: e.target.value })}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                data-testid="calendar-timezone"
              />
              <datalist id={zonesId}>
                {COMMON_TIME_ZONES.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <TextField
          label="Holiday country"
          optional
          hint="ISO code for public holidays, e.g. GB, US, DE."
          value={draft.holidayCountry}
          maxLength={2}
          className="mono"
          onChange={(e) => update({ holidayCountry: e.target.value.toUpperCase() })}
          error={errors.fields['holidayCountry']}
          data-testid="calendar-holiday-country"
        />
        <TextField
          label="Subdivision"
          optional
          hint="Region within the country, e.g. ENG, SCT, NY."
          value={draft.holidaySubdivision}
          maxLength={8}
          className="mono"
          onChange={(e) => update({ holidaySubdivision: e.target.value.toUpperCase() })}
          error={errors.fields['holidaySubdivision']}
          data-testid="calendar-holiday-subdivision"
        />
      </div>

      <label className="checkbox-row mt" htmlFor={alwaysOpenId}>
        <input id={alwaysOpenId} type="checkbox" checked={draft.alwaysOpen} onChange={(e) => update({ alwaysOpen: e.target.checked })} data-testid="calendar-always-open" />
        <span>
          <span className="strong">Open 24x7</span>
          <span className="block small muted">Every second counts, nights, weekends and holidays included.</span>
        </span>
      </label>
      {errors.fields['alwaysOpen'] && <div className="field-error">{errors.fields['alwaysOpen']}</div>}

      <fieldset className={clsx('fieldset mt', draft.alwaysOpen && 'is-muted')} data-testid="calendar-week">
        <legend>Working hours</legend>
        <p className="field-hint">
          {draft.alwaysOpen
            ? 'Not used while the calendar is open 24x7 (kept in case you switch back).'
            : 'Add several windows a day for split shifts or a lunch break. End of day is 24:00; a night shift is two windows (22:00–24:00, then 00:00–06:00 the next day).'}
        </p>
        <div className="week-grid">
          {WEEKDAYS.map((dayName, weekday) => {
            const rows = draft.windows.filter((w) => w.weekday === weekday);
            return (
              <div className="week-row" key={dayName} data-testid={`calendar-day-${weekday}`}>
                <div className="week-day">{dayName}</div>
                <div className="week-windows">
                  {rows.length === 0 && <span className="muted small week-closed">Closed</span>}
                  {rows.map((w, i) => (
                    <WindowRow
                      key={w.key}
                      window={w}
                      label={`${dayName} window ${i + 1}`}
                      testId={`window-${weekday}-${i}`}
                      error={errors.windows[w.key]}
                      onChange={(patch) => updateWindow(w.key, patch)}
                      onRemove={() => setDraft((d) => ({ ...d, windows: d.windows.filter((x) => x.key !== w.key) }))}
                    />
                  ))}
                </div>
                <button type="button" className="link-btn week-add" onClick={() => addWindow(weekday)} data-testid={`window-add-${weekday}`}>
                  + Add window<span className="sr-only"> on {dayName}</span>
                </button>
              </div>
            );
          })}
        </div>
        {errors.fields['windows'] && <div className="field-error mt-xs">{errors.fields['windows']}</div>}
        <button type="button" className="link-btn mt-xs" onClick={copyMondayToWeekdays} data-testid="window-copy-monday">
          Copy Monday’s hours to Tuesday–Friday
        </button>
      </fieldset>

      <fieldset className="fieldset mt" data-testid="calendar-closures">
        <legend>Closure dates</legend>
        <p className="field-hint">Whole local days the desk is closed, on top of public holidays (e.g. the office party, a move).</p>
        {draft.closures.length > 0 && (
          <ul className="closure-list">
            {draft.closures.map((c, i) => (
              <li key={c.key}>
                <div className="closure-row">
                  <input
                    type="date"
                    className="input closure-date"
                    value={c.date}
                    onChange={(e) => updateClosure(c.key, { date: e.target.value })}
                    aria-label={`Closure ${i + 1} date`}
                    aria-invalid={errors.closures[c.key] ? true : undefined}
                    data-testid={`closure-date-${i}`}
                  />
                  <input
                    className="input"
                    value={c.reason}
                    maxLength={120}
                    placeholder="Reason (optional)"
                    onChange={(e) => updateClosure(c.key, { reason: e.target.value })}
                    aria-label={`Closure ${i + 1} reason`}
                    data-testid={`closure-reason-${i}`}
                  />
                  <RemoveButton label={`Remove closure ${i + 1}`} onClick={() => setDraft((d) => ({ ...d, closures: d.closures.filter((x) => x.key !== c.key) }))} testId={`closure-remove-${i}`} />
                </div>
                {errors.closures[c.key] && <div className="field-error">{errors.closures[c.key]}</div>}
              </li>
            ))}
          </ul>
        )}
        {errors.fields['closures'] && <div className="field-error">{errors.fields['closures']}</div>}
        <button
          type="button"
          className="link-btn"
          onClick={() => setDraft((d) => ({ ...d, closures: [...d.closures, { key: newRowKey(), date: '', reason: '' }] }))}
          data-testid="closure-add"
        >
          + Add closure date
        </button>
      </fieldset>

      <div className="form-actions mt">
        <Button variant="ghost" onClick={onCancel} disabled={saving.loading}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" loading={saving.loading} data-testid="calendar-save">
          {isNew ? 'Create calendar' : 'Save calendar'}
        </Button>
      </div>
    </form>
  );
}

function WindowRow({
  window: w,
  label,
  testId,
  error,
  onChange,
  onRemove,
}: {
  window: WindowDraft;
  label: string;
  testId: string;
  error: string | undefined;
  onChange: (patch: Partial<WindowDraft>) => void;
  onRemove: () => void;
}) {
  const errorId = useId();
  const common = {
    className: 'input mono window-time',
    inputMode: 'numeric' as const,
    maxLength: 5,
    placeholder: 'HH:MM',
    spellCheck: false,
    autoComplete: 'off',
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
  };
  return (
    <div className="window-item">
      <div className="window-row">
        <input {...common} value={w.start} onChange={(e) => onChange({ start: e.target.value })} aria-label={`${label} start`} data-testid={`${testId}-start`} />
        <span className="muted" aria-hidden="true">
          –
        </span>
        <input {...common} value={w.end} onChange={(e) => onChange({ end: e.target.value })} aria-label={`${label} end`} data-testid={`${testId}-end`} />
        <RemoveButton label={`Remove ${label}`} onClick={onRemove} testId={`${testId}-remove`} />
      </div>
      {error && (
        <div className="field-error" id={errorId} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

function RemoveButton({ label, onClick, testId }: { label: string; onClick: () => void; testId: string }) {
  return (
    <button type="button" className="icon-btn icon-btn-xs" aria-label={label} title={label} onClick={onClick} data-testid={testId}>
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <path d="M4.5 4.5l7 7M11.5 4.5l-7 7" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
    </button>
  );
}
