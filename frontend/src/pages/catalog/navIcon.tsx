/** Sidebar icon for the SLA catalog (a clock over a list), drawn like the other nav icons. */
export const catalogNavIcon = (
  <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
    <circle cx="5.5" cy="5.5" r="3.2" fill="none" stroke="currentColor" strokeWidth="1.3" />
    <path d="M5.5 3.9v1.8l1.1.8M10.5 5h3M10.5 8.5h3M2.5 12h11" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" strokeLinejoin="round" />
  </svg>
);
