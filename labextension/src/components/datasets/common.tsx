import * as React from 'react';

import { ApiError, errorMessage, type MemberFlag } from '../../api';
import type { IUploadItem, UploadManager } from '../../datasets/uploads';
import type { ITrans } from '../../i18n';

/** The uploads of the page, re-rendering on every change. */
export function useUploads(manager: UploadManager): readonly IUploadItem[] {
  return React.useSyncExternalStore(manager.subscribe, manager.snapshot);
}

/** `1.2 MB/s`. */
export function formatSpeed(bytesPerSecond: number): string {
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s'];
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** First 10 hex digits of a sha256. */
export function shortSha(sha256: string): string {
  return sha256.slice(0, 10);
}

/** Why an upload failed, in the user's words (quota, checksum, …). */
export function uploadErrorMessage(trans: ITrans, error: unknown): string {
  if (error instanceof ApiError) {
    const detail = errorMessage(error);
    switch (error.status) {
      case 0:
        return trans.__('Connection lost: %1', detail);
      case 413:
        return trans.__(
          'Too large for the size limit or your quota: %1',
          detail
        );
      case 410:
        return trans.__('The upload expired; start it again.');
      case 409:
        return trans.__('Conflict: %1', detail);
      case 422:
        if (error.fieldErrors.some(e => e.field.endsWith('sha256'))) {
          return trans.__(
            'The stored bytes do not match the file’s sha256; nothing was added: %1',
            detail
          );
        }
        return trans.__('Invalid: %1', detail);
      default:
        return detail;
    }
  }
  return errorMessage(error);
}

/** Message ids of the archive flags. */
const FLAG_TITLES: Record<MemberFlag, string> = {
  'zip-slip': 'Path leaves the archive (zip-slip)',
  absolute: 'Absolute path',
  symlink: 'Symbolic link',
  bomb: 'Compression ratio too high (zip bomb)',
  'bad-name': 'Name is not valid UTF-8',
  encrypted: 'Encrypted'
};

/** Warning badges for archive flags. */
export function FlagBadges(props: {
  trans: ITrans;
  flags: readonly MemberFlag[];
}): JSX.Element | null {
  const { trans, flags } = props;
  if (flags.length === 0) {
    return null;
  }
  return (
    <>
      {flags.map(flag => (
        <span
          key={flag}
          className="openi-Badge openi-mod-warn"
          title={trans.__(FLAG_TITLES[flag] ?? flag)}
          data-testid={`openi-flag-${flag}`}
        >
          ⚠ {flag}
        </span>
      ))}
    </>
  );
}

/** A small "Copy" button that copies `text` and says so. */
export function CopyButton(props: {
  trans: ITrans;
  text: string;
  label?: string;
}): JSX.Element {
  const { trans, text, label } = props;
  const [copied, setCopied] = React.useState(false);
  return (
    <button
      type="button"
      className="openi-LinkButton"
      title={text}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          window.setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? trans.__('Copied') : (label ?? trans.__('Copy'))}
    </button>
  );
}
