import { portalConfig } from '../lib/portalConfig';
import './Logo.css';

export function Logo({ size = 24, withText = true }: { size?: number; withText?: boolean }) {
  return (
    <span className="logo">
      <svg viewBox="0 0 32 32" width={size} height={size} aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="var(--accent)" />
        <path d="M9 21.5V10.5h3.2l3.8 6 3.8-6H23v11h-3v-6.4l-3.3 5.1h-1.4L12 15.1v6.4z" fill="#fff" />
      </svg>
      {withText && <span className="logo-text">{portalConfig().mspName}</span>}
    </span>
  );
}
