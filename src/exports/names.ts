// Safe, unique file names for the zip: "documents/<category>/<yyyy-mm-dd> <title>.<ext>". Pure.
// A name never holds a path separator, a control character, a leading dot or a reserved Windows
// name, is at most 120 characters, and two files never share a name (compared case-insensitively,
// as on macOS and Windows).

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'text/rtf': 'rtf',
  'application/rtf': 'rtf',
  'text/csv': 'csv',
  'application/json': 'json',
  'application/fhir+json': 'json',
  'application/fhir+xml': 'xml',
  'application/dicom': 'dcm',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/tiff': 'tif',
  'image/bmp': 'bmp',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/zip': 'zip',
};

export function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType.split(';')[0].trim().toLowerCase()] ?? 'bin';
}

// C0 and C1 control characters.
const CONTROL = /\p{Cc}/gu;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** One path segment: no separators, controls or characters Windows refuses; never "." or "..". */
export function safeSegment(text: string, maxLength = 100): string {
  let clean = text
    .normalize('NFC')
    .replace(CONTROL, ' ')
    .replace(/[/\\:*?"<>|]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s-]+/, '')
    .replace(/[.\s]+$/, '');
  if ([...clean].length > maxLength) clean = [...clean].slice(0, maxLength).join('').trim();
  if (!clean || RESERVED.test(clean)) clean = `_${clean}`;
  return clean === '_' ? 'document' : clean;
}

/** "yyyy-mm-dd" from a FHIR date or dateTime (a partial date keeps what it has), else "undated". */
export function datePart(date: string | null): string {
  const match = date ? /^(\d{4})(-\d{2})?(-\d{2})?/.exec(date) : null;
  return match ? match[0] : 'undated';
}

/** Hands out unique names within the archive. */
export class NameBook {
  private readonly taken = new Set<string>();

  /** `folder` is already safe (fixed by the caller); `stem` and `extension` are cleaned here. */
  claim(folder: string, stem: string, extension: string): string {
    const base = safeSegment(stem);
    const ext = extension.replace(/[^a-z0-9]/gi, '').slice(0, 8) || 'bin';
    for (let n = 1; ; n++) {
      const name = `${folder}/${n === 1 ? base : `${base} (${n})`}.${ext}`;
      const key = name.toLowerCase();
      if (!this.taken.has(key)) {
        this.taken.add(key);
        return name;
      }
    }
  }
}
