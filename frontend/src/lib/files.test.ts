import { describe, expect, it } from 'vitest';
import { ATTACHMENT_MAX_BYTES, AttachmentError, contentTypeOf, encodeAttachments, formatBytes, readFileAsBase64 } from './files';

const file = (content: string | Uint8Array<ArrayBuffer>, name: string, type = '') => new File([content], name, { type });

describe('readFileAsBase64', () => {
  it('reads a file as plain base64 (no data: prefix)', async () => {
    await expect(readFileAsBase64(file('hello', 'hello.txt', 'text/plain'))).resolves.toBe('aGVsbG8=');
  });

  it('round-trips binary content', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const b64 = await readFileAsBase64(file(bytes, 'x.bin'));
    expect(Array.from(atob(b64), (c) => c.charCodeAt(0))).toEqual(Array.from(bytes));
  });

  it('accepts a file of exactly the limit and refuses one byte more, before reading it', async () => {
    await expect(readFileAsBase64(file('12345', 'five.txt'), 5)).resolves.toBe(btoa('12345'));
    const err = await readFileAsBase64(file('123456', 'six.txt'), 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttachmentError);
    expect((err as AttachmentError).code).toBe('TOO_LARGE');
    expect((err as AttachmentError).message).toBe('six.txt is 6 B; files can be at most 5 B.');
  });

  it('uses the server limit (10 MB, decimal) by default', async () => {
    const big = { size: ATTACHMENT_MAX_BYTES + 1, name: 'huge.zip', type: 'application/zip' } as unknown as File;
    await expect(readFileAsBase64(big)).rejects.toMatchObject({ code: 'TOO_LARGE', message: 'huge.zip is 10 MB; files can be at most 10 MB.' });
  });

  it('refuses empty files', async () => {
    await expect(readFileAsBase64(file('', 'empty.txt'))).rejects.toMatchObject({ code: 'EMPTY' });
  });
});

describe('encodeAttachments', () => {
  it('encodes several files with their type', async () => {
    const out = await encodeAttachments([file('a', 'a.txt', 'text/plain'), file('b', 'shot.PNG')]);
    expect(out).toEqual([
      { filename: 'a.txt', contentType: 'text/plain', dataBase64: 'YQ==', size: 1 },
      { filename: 'shot.PNG', contentType: 'image/png', dataBase64: 'Yg==', size: 1 },
    ]);
  });

  it('refuses more than five files per message, counting those already attached', async () => {
    const three = [file('a', 'a.txt'), file('b', 'b.txt'), file('c', 'c.txt')];
    await expect(encodeAttachments(three, 3)).rejects.toMatchObject({ code: 'TOO_MANY' });
    await expect(encodeAttachments(three, 2)).resolves.toHaveLength(3);
  });
});

describe('helpers', () => {
  it('derives a missing content type from the extension (the server decides what it accepts)', () => {
    expect(contentTypeOf({ name: 'report.pdf', type: '' })).toBe('application/pdf');
    expect(contentTypeOf({ name: 'data.CSV', type: '' })).toBe('text/csv');
    expect(contentTypeOf({ name: 'setup.exe', type: '' })).toBe('application/octet-stream');
    expect(contentTypeOf({ name: 'x.pdf', type: 'application/x-custom' })).toBe('application/x-custom');
  });

  it('formats sizes in decimal units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(14_200)).toBe('14 KB');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
    expect(formatBytes(10_000_000)).toBe('10 MB');
  });
});
