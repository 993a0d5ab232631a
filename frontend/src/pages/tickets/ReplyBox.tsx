import clsx from 'clsx';
import { useId, useRef, useState, type FormEvent } from 'react';
import { Alert, Button } from '../../components/ui';
import { REQUEST_TOO_LARGE } from '../../graphql/client';
import type {
  AddInternalNoteMutation,
  AddInternalNoteMutationVariables,
  ReplyToTicketMutation,
  ReplyToTicketMutationVariables,
  TicketFieldsFragment,
} from '../../graphql/generated';
import { ADD_INTERNAL_NOTE_MUTATION, REPLY_TO_TICKET_MUTATION } from '../../graphql/operations';
import {
  ATTACHMENT_ACCEPT,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_MAX_COUNT,
  AttachmentError,
  encodeAttachments,
  formatBytes,
  type EncodedAttachment,
} from '../../lib/files';
import { useTicketAction } from './ticketActions';

const REPLY_FIELDS = ['body', 'attachments'] as const;

export function ReplyBox({
  ticket,
  clientSlug,
  canWriteInternal,
  internalOnly = false,
  onTicket,
}: {
  ticket: TicketFieldsFragment;
  clientSlug: string | undefined;
  canWriteInternal: boolean;
  /** Staff on a closed ticket: only internal notes (a public reply needs a reopen first). */
  internalOnly?: boolean;
  onTicket: (t: TicketFieldsFragment) => void;
}) {
  const [body, setBody] = useState('');
  const [internalChosen, setInternal] = useState(false);
  const internal = internalOnly || internalChosen;
  const [files, setFiles] = useState<EncodedAttachment[]>([]);
  const [fileError, setFileError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const [localError, setLocalError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const bodyId = useId();

  const reply = useTicketAction<ReplyToTicketMutation, ReplyToTicketMutationVariables>(REPLY_TO_TICKET_MUTATION, REPLY_FIELDS, onTicket);
  const note = useTicketAction<AddInternalNoteMutation, AddInternalNoteMutationVariables>(ADD_INTERNAL_NOTE_MUTATION, REPLY_FIELDS, onTicket);
  const action = internal ? note : reply;
  const loading = reply.loading || note.loading;

  async function pick(list: FileList | null) {
    const picked = Array.from(list ?? []);
    if (fileInput.current) fileInput.current.value = '';
    if (!picked.length) return;
    setFileError(null);
    setReading(true);
    try {
      const encoded = await encodeAttachments(picked, files.length);
      setFiles((f) => [...f, ...encoded]);
    } catch (err) {
      setFileError(err instanceof AttachmentError ? err.message : 'The file could not be read.');
    } finally {
      setReading(false);
    }
  }

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    setSent(null);
    setLocalError(null);
    reply.clearErrors();
    note.clearErrors();
    if (!body.trim()) {
      setLocalError('Write a message first.');
      return;
    }
    const vars = {
      number: ticket.number,
      ...(clientSlug ? { clientSlug } : {}),
      body: body.trim(),
      ...(files.length ? { attachments: files.map(({ filename, contentType, dataBase64 }) => ({ filename, contentType, dataBase64 })) } : {}),
    };
    const result = await action.run(vars);
    if (result.ok) {
      setBody('');
      setFiles([]);
      setFileError(null);
      setSent(internal ? 'Internal note added.' : 'Reply sent.');
    }
  }

  const bodyError = localError ?? action.errors.fields['body'];
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const tooLarge = action.generalMessages.includes(REQUEST_TOO_LARGE) && files.length > 0;
  const attachmentsError = fileError ?? action.errors.fields['attachments'];

  return (
    <form className={clsx('card reply-box', internal && 'is-internal')} onSubmit={(e) => void submit(e)} noValidate aria-label="Reply" data-testid="reply-form">
      {canWriteInternal && !internalOnly && (
        <div className="reply-mode" role="group" aria-label="Message type">
          <label className={clsx('reply-toggle', internal && 'is-on')}>
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} data-testid="reply-internal" />
            <span className="switch" aria-hidden="true" />
            Internal note
          </label>
          <span className="small muted">{internal ? 'Only MSP staff see internal notes.' : 'The client sees this reply.'}</span>
        </div>
      )}
      {action.generalMessages.length > 0 && (
        <Alert className="reply-alert" title={internal ? 'The note wasn’t saved' : 'The reply wasn’t sent'}>
          {action.generalMessages.join(' ')}
          {tooLarge && ` Send fewer or smaller attachments (now ${files.length} ${files.length === 1 ? 'file' : 'files'}, ${formatBytes(totalBytes)} in total).`}
        </Alert>
      )}
      {sent && (
        <div className="reply-sent" role="status" data-testid="reply-sent">
          {sent}
        </div>
      )}
      <label htmlFor={bodyId} className="sr-only">
        {internal ? 'Internal note' : 'Reply'}
      </label>
      <textarea
        id={bodyId}
        className="textarea reply-textarea"
        rows={4}
        placeholder={internal ? 'Write an internal note… (only staff see it)' : canWriteInternal ? 'Reply to the client…' : 'Write a reply…'}
        value={body}
        onChange={(e) => {
          setBody(e.target.value);
          if (localError) setLocalError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
            e.preventDefault();
            void submit();
          }
        }}
        aria-invalid={bodyError ? true : undefined}
        aria-describedby={bodyError ? `${bodyId}-error` : undefined}
        data-testid="reply-body"
      />
      {bodyError && (
        <div className="field-error reply-error" id={`${bodyId}-error`} role="alert">
          {bodyError}
        </div>
      )}
      {files.length > 0 && (
        <ul className="attachments" data-testid="reply-attachments">
          {files.map((f, i) => (
            <li key={`${f.filename}-${i}`} className="attachment">
              <PaperclipIcon />
              <span className="attachment-name">{f.filename}</span>
              <span className="muted small">{formatBytes(f.size)}</span>
              <button type="button" className="icon-btn icon-btn-xs" aria-label={`Remove ${f.filename}`} onClick={() => setFiles((all) => all.filter((_, j) => j !== i))}>
                <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                  <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
                </svg>
              </button>
            </li>
          ))}
        </ul>
      )}
      {attachmentsError && (
        <div className="field-error reply-error" role="alert" data-testid="reply-attachments-error">
          {attachmentsError}
        </div>
      )}
      <div className="reply-footer">
        <div className="row gap-sm">
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            accept={ATTACHMENT_ACCEPT}
            onChange={(e) => void pick(e.target.files)}
            data-testid="reply-file"
          />
          <Button
            size="sm"
            variant="ghost"
            onClick={() => fileInput.current?.click()}
            loading={reading}
            disabled={files.length >= ATTACHMENT_MAX_COUNT}
            title={`Up to ${ATTACHMENT_MAX_COUNT} files, ${formatBytes(ATTACHMENT_MAX_BYTES)} each`}
            data-testid="reply-attach"
          >
            <PaperclipIcon /> Attach files
          </Button>
          <span className="small muted">
            <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">Enter</kbd> to send
          </span>
        </div>
        <Button type="submit" variant="primary" loading={loading} disabled={reading} data-testid="reply-submit">
          {internal ? 'Add internal note' : 'Send reply'}
        </Button>
      </div>
    </form>
  );
}

export function PaperclipIcon() {
  return (
    <svg viewBox="0 0 16 16" width="13" height="13" aria-hidden="true">
      <path
        d="M10.5 5.5l-4.2 4.2a1.2 1.2 0 001.7 1.7l4.6-4.6a2.6 2.6 0 00-3.7-3.7L4.3 7.7a4 4 0 005.7 5.7l3.7-3.7"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.3"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
