import clsx from 'clsx';
import {
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type SelectHTMLAttributes,
} from 'react';
import type { ClientStatus, ClientTier } from '../graphql/generated';
import { STATUS_LABEL, TIER_LABEL } from '../lib/enums';
import { initials } from '../lib/format';
import './ui.css';
import './page.css';

// ------------------------------------------------------------------ buttons

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  size?: 'sm' | 'md';
  loading?: boolean;
};

export function Button({
  variant = 'secondary',
  size = 'md',
  loading = false,
  className,
  children,
  disabled,
  type = 'button',
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      className={clsx('btn', `btn-${variant}`, size === 'sm' && 'btn-sm', loading && 'is-loading', className)}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      {...rest}
    >
      {loading && <Spinner size={12} />}
      {children}
    </button>
  );
}

export function Spinner({ size = 16, label }: { size?: number; label?: string }) {
  return (
    <span
      className="spinner"
      style={{ width: size, height: size }}
      role={label ? 'status' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    />
  );
}

// ------------------------------------------------------------------- fields

type FieldProps = {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null | undefined;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
  className?: string;
  optional?: boolean;
};

/** Label + control + hint + error, wired up with ids for assistive tech. */
export function Field({ label, hint, error, children, className, optional }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={clsx('field', error && 'has-error', className)}>
      <label className="field-label" htmlFor={id}>
        {label}
        {optional && <span className="field-optional">Optional</span>}
      </label>
      {children({ id, describedBy, invalid: !!error })}
      {hint && !error && (
        <div className="field-hint" id={hintId}>
          {hint}
        </div>
      )}
      {error && (
        <div className="field-error" id={errorId} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null | undefined;
  optional?: boolean;
  fieldClassName?: string;
};

export function TextField({ label, hint, error, optional, fieldClassName, className, ...input }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error} optional={optional} className={fieldClassName}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          className={clsx('input', className)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          {...input}
        />
      )}
    </Field>
  );
}

type SelectFieldProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null | undefined;
  optional?: boolean;
  fieldClassName?: string;
};

export function SelectField({ label, hint, error, optional, fieldClassName, className, children, ...select }: SelectFieldProps) {
  return (
    <Field label={label} hint={hint} error={error} optional={optional} className={fieldClassName}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          className={clsx('select', className)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          {...select}
        >
          {children}
        </select>
      )}
    </Field>
  );
}

/** A compact "Label: value ▾" filter control for toolbars; "All" clears it. */
export function FilterSelect({
  label,
  value,
  options,
  onChange,
  testId,
  disabled,
  selectRef,
  allLabel = 'All',
}: {
  label: string;
  value: string | null;
  options: [string, string][];
  onChange: (v: string | null) => void;
  testId: string;
  disabled?: boolean;
  selectRef?: Ref<HTMLSelectElement>;
  allLabel?: string;
}) {
  const id = useId();
  return (
    <div className={clsx('filter-select', value && 'is-active')}>
      <label htmlFor={id} className="filter-label">
        {label}
      </label>
      <select
        id={id}
        ref={selectRef}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || null)}
        data-testid={testId}
        disabled={disabled && !value}
      >
        <option value="">{allLabel}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
        {value && !options.some(([v]) => v === value) && <option value={value}>{value}</option>}
      </select>
    </div>
  );
}

/** A toggle chip for boolean filters (aria-pressed). */
export function FilterChip({
  pressed,
  onToggle,
  children,
  testId,
  tone,
  title,
}: {
  pressed: boolean;
  onToggle: () => void;
  children: ReactNode;
  testId?: string;
  tone?: 'red' | 'amber';
  title?: string;
}) {
  return (
    <button
      type="button"
      className={clsx('chip', pressed && 'is-active', tone && `chip-${tone}`)}
      aria-pressed={pressed}
      onClick={onToggle}
      data-testid={testId}
      title={title}
    >
      {children}
    </button>
  );
}

// ------------------------------------------------------------------- alerts

export function Alert({
  tone = 'error',
  title,
  children,
  action,
  className,
}: {
  tone?: 'error' | 'info' | 'success' | 'warning';
  title?: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  className?: string;
}) {
  return (
    <div className={clsx('alert', `alert-${tone}`, className)} role={tone === 'error' ? 'alert' : 'status'}>
      <AlertIcon tone={tone} />
      <div className="alert-body">
        {title && <div className="alert-title">{title}</div>}
        {children && <div className="alert-text">{children}</div>}
      </div>
      {action && <div className="alert-action">{action}</div>}
    </div>
  );
}

function AlertIcon({ tone }: { tone: 'error' | 'info' | 'success' | 'warning' }) {
  const path =
    tone === 'success'
      ? 'M5 8.5l2 2 4-4.5'
      : tone === 'info'
        ? 'M8 7.2v4M8 4.8v.1'
        : 'M8 4.5v4.2M8 11v.1';
  return (
    <svg className="alert-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path d={path} fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

// -------------------------------------------------------------- pills/badges

const STATUS_TONE: Record<ClientStatus, string> = {
  ONBOARDING: 'blue',
  ACTIVE: 'green',
  SUSPENDED: 'amber',
  OFFBOARDED: 'grey',
};

export function StatusPill({ status }: { status: ClientStatus }) {
  return (
    <span className={clsx('pill', `pill-${STATUS_TONE[status]}`)} data-status={status}>
      <span className="pill-dot" aria-hidden="true" />
      {STATUS_LABEL[status]}
    </span>
  );
}

const TIER_TONE: Record<ClientTier, string> = { ESSENTIAL: 'grey', STANDARD: 'blue', PREMIUM: 'violet' };

export function TierBadge({ tier }: { tier: ClientTier }) {
  return <span className={clsx('badge', `badge-${TIER_TONE[tier]}`)}>{TIER_LABEL[tier]}</span>;
}

export function Badge({ children, tone = 'grey' }: { children: ReactNode; tone?: 'grey' | 'blue' | 'violet' | 'green' | 'amber' | 'accent' }) {
  return <span className={clsx('badge', `badge-${tone}`)}>{children}</span>;
}

export function Avatar({ name, size = 24 }: { name: string; size?: number }) {
  // Stable hue per name so people are easy to tell apart.
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{ width: size, height: size, fontSize: Math.round(size * 0.42), background: `hsl(${h} 45% 92%)`, color: `hsl(${h} 45% 32%)` }}
    >
      {initials(name)}
    </span>
  );
}

// ----------------------------------------------------------------- skeleton

export function Skeleton({ width, height = 12, className }: { width?: number | string; height?: number; className?: string }) {
  return <span className={clsx('skeleton', className)} style={{ width, height }} aria-hidden="true" />;
}

export function EmptyState({ title, children, action }: { title: ReactNode; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <div className="empty-title">{title}</div>
      {children && <div className="empty-text">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

// -------------------------------------------------------------------- modal

export function Modal({
  title,
  description,
  onClose,
  children,
  footer,
  width = 560,
  testId,
}: {
  title: ReactNode;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  width?: number;
  testId?: string;
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const previouslyFocused = document.activeElement as HTMLElement | null;
    const node = ref.current;
    const first = node?.querySelector<HTMLElement>('input, select, textarea, button:not([data-modal-close])');
    (first ?? node)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onCloseRef.current();
      } else if (e.key === 'Tab' && node) {
        // Keep focus inside the dialog.
        const focusables = Array.from(
          node.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex="-1"])'),
        );
        const firstEl = focusables[0];
        const lastEl = focusables[focusables.length - 1];
        if (!firstEl || !lastEl) return;
        if (e.shiftKey && document.activeElement === firstEl) {
          e.preventDefault();
          lastEl.focus();
        } else if (!e.shiftKey && document.activeElement === lastEl) {
          e.preventDefault();
          firstEl.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey);
    const prevOverflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => {
      document.removeEventListener('keydown', onKey);
      document.body.style.overflow = prevOverflow;
      previouslyFocused?.focus?.();
    };
  }, []);

  return (
    // A click on the backdrop closes the dialog; keyboard users have Escape and the close button.
    <div className="modal-backdrop" role="presentation" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={ref}
        tabIndex={-1}
        style={{ width }}
        data-testid={testId}
      >
        <div className="modal-header">
          <div>
            <h2 className="modal-title" id={titleId}>
              {title}
            </h2>
            {description && <p className="modal-description">{description}</p>}
          </div>
          <button type="button" className="icon-btn" aria-label="Close dialog" title="Close (Esc)" onClick={onClose} data-modal-close>
            <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
              <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
            </svg>
          </button>
        </div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-footer">{footer}</div>}
      </div>
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useStateTimeout();
  return (
    <Button
      size="sm"
      variant="ghost"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false));
      }}
    >
      {copied ? 'Copied' : label}
    </Button>
  );
}

function useStateTimeout(): [boolean, (v: boolean) => void] {
  const [v, setV] = useState(false);
  useEffect(() => {
    if (!v) return;
    const t = window.setTimeout(() => setV(false), 1500);
    return () => window.clearTimeout(t);
  }, [v]);
  return [v, setV];
}
