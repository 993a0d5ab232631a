import { Card } from '../../components/Card';
import type { PhishingReportFieldsFragment } from '../../graphql/generated';
import { formatBytes } from '../../lib/files';
import { formatDateTime } from '../../lib/format';
import { AuthVerdict } from './SecurityPills';
import './security.css';

/**
 * A reported message as the server parsed it. Nothing here renders the message: its links are
 * shown defanged as plain text (never anchors), attachments by name, type, size and SHA-256.
 */
export function PhishingReportView({ report: r, showHeaders = true }: { report: PhishingReportFieldsFragment; showHeaders?: boolean }) {
  return (
    <div className="stack" data-testid="phishing-report-view">
      <Card headingId={`msg-${r.id}-heading`} title="Message">
        <dl className="message-facts">
          <dt>From</dt>
          <dd data-testid="report-from">
            {r.fromDisplay && <span className="strong">{r.fromDisplay} </span>}
            <span className="mono">{r.fromAddress ? `<${r.fromAddress}>` : '(no address)'}</span>
          </dd>
          {r.replyTo && (
            <>
              <dt>Reply-To</dt>
              <dd className="mono">{r.replyTo}</dd>
            </>
          )}
          {r.returnPath && (
            <>
              <dt>Return-Path</dt>
              <dd className="mono">{r.returnPath}</dd>
            </>
          )}
          <dt>Subject</dt>
          <dd data-testid="report-subject">{r.subject || <span className="muted">(no subject)</span>}</dd>
          <dt>Sent</dt>
          <dd>{r.sentAt ? formatDateTime(r.sentAt) : r.dateHeader || <span className="muted">(no date)</span>}</dd>
          {showHeaders && r.messageId && (
            <>
              <dt>Message-ID</dt>
              <dd className="mono small">{r.messageId}</dd>
            </>
          )}
          <dt>Checks</dt>
          <dd>
            <div className="auth-verdicts">
              <AuthVerdict name="SPF" result={r.authentication.spf} />
              <AuthVerdict name="DKIM" result={r.authentication.dkim} />
              <AuthVerdict name="DMARC" result={r.authentication.dmarc} />
            </div>
            <div className="small muted mt-xs">From the receiving mail server’s Authentication-Results header.</div>
          </dd>
        </dl>
        {r.parseProblems.length > 0 && (
          <div className="pad small" data-testid="report-problems">
            <span className="strong">Oddities found while reading it:</span> {r.parseProblems.join(' ')}
          </div>
        )}
      </Card>

      <Card headingId={`links-${r.id}-heading`} title={<>Links <span className="count">{r.links.length}</span></>} aside={<span className="small muted">defanged: not clickable</span>}>
        {r.links.length === 0 ? (
          <p className="pad small muted">No links found.</p>
        ) : (
          <ul className="message-list" data-testid="report-links">
            {r.links.map((l, i) => (
              <li key={i}>
                <div className="defanged">{l.defangedUrl}</div>
                {l.text && (
                  <div className="small muted">
                    shown as “{l.text}”
                    {l.textShowsOtherHost && <span className="lure-warning"> — the text names another address than the link goes to</span>}
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card headingId={`att-${r.id}-heading`} title={<>Attachments <span className="count">{r.attachments.length}</span></>} aside={<span className="small muted">never opened</span>}>
        {r.attachments.length === 0 ? (
          <p className="pad small muted">No attachments.</p>
        ) : (
          <ul className="message-list" data-testid="report-attachments">
            {r.attachments.map((a, i) => (
              <li key={i}>
                <div>
                  <span className="strong">{a.filename || '(no name)'}</span> <span className="small muted">{a.contentType} · {formatBytes(a.sizeBytes)}</span>
                </div>
                <div className="defanged">SHA-256 {a.sha256}</div>
              </li>
            ))}
          </ul>
        )}
      </Card>

      {r.textExcerpt && (
        <Card headingId={`text-${r.id}-heading`} title="Text (start)">
          {/* Plain text only, never the message's HTML. Scrollable, so reachable by keyboard. */}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
          <div className="text-excerpt" tabIndex={0} role="region" aria-label="Text of the message">
            {r.textExcerpt}
          </div>
        </Card>
      )}

      {showHeaders && r.receivedChain.length > 0 && (
        <Card headingId={`rcv-${r.id}-heading`} title={<>Received chain <span className="count">{r.receivedChain.length}</span></>} aside={<span className="small muted">newest first</span>}>
          <ol className="message-list">
            {r.receivedChain.map((line, i) => (
              <li key={i} className="received-chain">
                {line}
              </li>
            ))}
          </ol>
        </Card>
      )}
    </div>
  );
}
