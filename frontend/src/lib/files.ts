/**
 * Attachments travel inside the GraphQL request as base64
 * (`AttachmentInput { filename, contentType, dataBase64 }`).
 * The server is the authority (TOO_LARGE, TOO_MANY, UNSUPPORTED_TYPE); these
 * checks only spare people from reading a huge file into memory and waiting
 * for an upload the server will refuse.
 */

/** Server limit per file (settings.ATTACHMENT_MAX_BYTES: 10 MB, decimal). */
export const ATTACHMENT_MAX_BYTES = 10 * 1000 * 1000;
/** Server limit per message (settings.ATTACHMENT_MAX_COUNT). */
export const ATTACHMENT_MAX_COUNT = 5;

/** The server's default accepted types; used for the file picker's `accept` and to fill in a missing type. */
export const ATTACHMENT_TYPES_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  log: 'text/plain',
  csv: 'text/csv',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  eml: 'message/rfc822',
};

export const ATTACHMENT_ACCEPT = Object.keys(ATTACHMENT_TYPES_BY_EXTENSION)
  .map((ext) => `.${ext}`)
  .join(',');

export type EncodedAttachment = { filename: string; contentType: string; dataBase64: string; size: number };

export class AttachmentError extends Error {
  override readonly name = 'AttachmentError';
  readonly code: 'TOO_LARGE' | 'EMPTY' | 'TOO_MANY' | 'READ_FAILED';
  constructor(code: AttachmentError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** "512 B", "14 KB", "2.4 MB" (decimal units, like the server's limit). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1000 * 1000) return `${Math.round(bytes / 1000)} KB`;
  const mb = bytes / 1000 / 1000;
  return `${mb < 10 ? mb.toFixed(1).replace(/\.0$/, '') : Math.round(mb)} MB`;
}

/** The browser's type, or one derived from the extension; the server decides whether it is accepted. */
export function contentTypeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type;
  const ext = file.name.toLowerCase().split('.').pop() ?? '';
  return ATTACHMENT_TYPES_BY_EXTENSION[ext] ?? 'application/octet-stream';
}

/**
 * Read a file as base64 (no `data:` prefix). Rejects with an `AttachmentError`
 * before reading anything when the file is larger than `maxBytes` or empty.
 */
export function readFileAsBase64(file: Blob & { name?: string }, maxBytes: number = ATTACHMENT_MAX_BYTES): Promise<string> {
  const name = file.name || 'The file';
  if (file.size > maxBytes) {
    return Promise.reject(
      new AttachmentError('TOO_LARGE', `${name} is ${formatBytes(file.size)}; files can be at most ${formatBytes(maxBytes)}.`),
    );
  }
  if (file.size === 0) return Promise.reject(new AttachmentError('EMPTY', `${name} is empty.`));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const result = typeof reader.result === 'string' ? reader.result : '';
      const comma = result.indexOf(',');
      resolve(comma === -1 ? '' : result.slice(comma + 1));
    };
    reader.onerror = () => reject(new AttachmentError('READ_FAILED', `${name} could not be read.`));
    reader.readAsDataURL(file);
  });
}

/** Encode the picked files, adding to `existing`; the first problem is thrown as an `AttachmentError`. */
export async function encodeAttachments(
  files: readonly File[],
  existing: number = 0,
  maxBytes: number = ATTACHMENT_MAX_BYTES,
  maxCount: number = ATTACHMENT_MAX_COUNT,
): Promise<EncodedAttachment[]> {
  if (existing + files.length > maxCount) {
    throw new AttachmentError('TOO_MANY', `Attach at most ${maxCount} files to one message.`);
  }
  const out: EncodedAttachment[] = [];
  for (const file of files) {
    const dataBase64 = await readFileAsBase64(file, maxBytes);
    out.push({ filename: file.name, contentType: contentTypeOf(file), dataBase64, size: file.size });
  }
  return out;
}
