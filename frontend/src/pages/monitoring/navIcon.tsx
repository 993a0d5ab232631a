/** The "Down now" nav icon (a pulse line). */
export const downNowNavIcon = (
  <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
    <path d="M1.5 8.5h3l1.5-4 3 8 1.5-4h4" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" strokeLinejoin="round" />
  </svg>
);
