import type { ReactNode } from 'react';
import { Logo } from '../components/Logo';
import './auth.css';

export function AuthLayout({
  title,
  subtitle,
  children,
  footer,
  wide = false,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  return (
    <div className="auth-layout">
      <main className={wide ? 'auth-card is-wide' : 'auth-card'}>
        <div className="auth-logo">
          <Logo size={28} />
        </div>
        <h1 className="auth-title">{title}</h1>
        {subtitle && <p className="auth-subtitle">{subtitle}</p>}
        {children}
      </main>
      {footer && <div className="auth-footer">{footer}</div>}
    </div>
  );
}
