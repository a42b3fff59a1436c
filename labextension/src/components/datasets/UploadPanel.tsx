import * as React from 'react';

import { formatSize } from '../project/code/size';
import { useEnv } from '../project/env';
import {
  FileMismatchError,
  type IUploadItem,
  type UploadPhase
} from '../../datasets/uploads';
import { formatSpeed, uploadErrorMessage, useUploads } from './common';

/** Message ids of the upload phases. */
const PHASES: Record<UploadPhase, string> = {
  hashing: 'Computing sha256…',
  starting: 'Starting…',
  uploading: 'Uploading…',
  completing: 'Verifying…',
  completed: 'Completed',
  interrupted: 'Interrupted',
  error: 'Failed'
};

/** Percentage shown by the bar: hashing, then sending. */
function percent(item: IUploadItem): number {
  if (item.size <= 0) {
    return 100;
  }
  if (item.phase === 'hashing') {
    return Math.floor((item.hashed / item.size) * 100);
  }
  if (item.phase === 'completed') {
    return 100;
  }
  return Math.floor((item.offset / item.size) * 100);
}

/** One upload: name, bar (%, bytes, speed), Resume / Cancel / Dismiss. */
function UploadRow(props: { item: IUploadItem }): JSX.Element {
  const { item } = props;
  const { trans, uploads } = useEnv();
  const [problem, setProblem] = React.useState<string | undefined>();
  const input = React.useRef<HTMLInputElement>(null);
  const value = percent(item);
  const done = item.phase === 'completed';
  const bytes =
    item.phase === 'hashing'
      ? trans.__(
          '%1 of %2 hashed',
          formatSize(item.hashed),
          formatSize(item.size)
        )
      : trans.__('%1 of %2', formatSize(item.offset), formatSize(item.size));

  const resume = (file?: File): void => {
    setProblem(undefined);
    try {
      uploads.resume(item.key, file);
    } catch (error) {
      setProblem(
        error instanceof FileMismatchError
          ? trans.__(
              'Choose the same file: %1 (%2), unchanged since the upload started.',
              item.fileName,
              formatSize(item.size)
            )
          : String(error)
      );
    }
  };

  return (
    <li
      className={`openi-Upload openi-mod-${item.phase}`}
      data-testid="openi-upload"
      data-phase={item.phase}
    >
      <div className="openi-Upload-head">
        <span className="openi-Upload-name" title={item.fileName}>
          {item.fileName}
        </span>
        <span className="openi-muted">
          {item.project}/{item.dataset}
        </span>
        <span className="openi-Toolbar-spacer" />
        <span className="openi-Upload-phase" data-testid="openi-upload-phase">
          {trans.__(PHASES[item.phase])}
          {done && item.dedup ? ` (${trans.__('already stored')})` : ''}
        </span>
      </div>
      <div className="openi-Upload-barRow">
        <progress
          className="openi-ProgressBar"
          data-testid="openi-upload-progress"
          max={100}
          value={value}
          aria-label={trans.__('Upload of %1', item.fileName)}
        />
        <span
          className="openi-Upload-percent"
          data-testid="openi-upload-percent"
        >
          {value}%
        </span>
      </div>
      <div className="openi-Upload-meta openi-muted">
        <span>{bytes}</span>
        {item.phase === 'uploading' && item.speed > 0 && (
          <span>{formatSpeed(item.speed)}</span>
        )}
      </div>
      {(item.phase === 'error' || item.phase === 'interrupted') &&
        item.error !== undefined && (
          <div
            className="openi-ErrorLine"
            role="alert"
            data-testid="openi-upload-error"
          >
            {uploadErrorMessage(trans, item.error)}
          </div>
        )}
      {item.phase === 'interrupted' && !item.hasFile && (
        <div className="openi-muted">
          {trans.__(
            'Select %1 again to continue where it stopped.',
            item.fileName
          )}
        </div>
      )}
      {problem && (
        <div className="openi-ErrorLine" role="alert">
          {problem}
        </div>
      )}
      <div className="openi-Upload-actions">
        {item.phase === 'interrupted' && (
          <>
            <input
              ref={input}
              type="file"
              hidden
              data-testid="openi-upload-resume-input"
              onChange={e => {
                const file = e.currentTarget.files?.[0];
                e.currentTarget.value = '';
                if (file) {
                  resume(file);
                }
              }}
            />
            <button
              type="button"
              className="openi-Button openi-mod-primary"
              data-testid="openi-upload-resume"
              onClick={() => (item.hasFile ? resume() : input.current?.click())}
            >
              {trans.__('Resume')}
            </button>
          </>
        )}
        {done || item.phase === 'error' ? (
          <button
            type="button"
            className="openi-Button"
            data-testid="openi-upload-dismiss"
            onClick={() => uploads.dismiss(item.key)}
          >
            {trans.__('Dismiss')}
          </button>
        ) : (
          <button
            type="button"
            className="openi-Button"
            data-testid="openi-upload-cancel"
            onClick={() =>
              void uploads
                .cancel(item.key)
                .catch(error => setProblem(uploadErrorMessage(trans, error)))
            }
          >
            {trans.__('Cancel')}
          </button>
        )}
      </div>
    </li>
  );
}

/** Uploads of one project (and dataset, if given), unfinished ones first. */
export function UploadPanel(props: {
  project: string;
  dataset?: string;
}): JSX.Element | null {
  const { project, dataset } = props;
  const { trans, uploads } = useEnv();
  const items = useUploads(uploads).filter(
    i =>
      i.project === project && (dataset === undefined || i.dataset === dataset)
  );
  if (items.length === 0) {
    return null;
  }
  return (
    <section className="openi-UploadPanel" data-testid="openi-upload-panel">
      <h3 className="openi-SubTitle">{trans.__('Uploads')}</h3>
      <ul className="openi-List">
        {items.map(item => (
          <UploadRow key={item.key} item={item} />
        ))}
      </ul>
    </section>
  );
}

/** File input and drop zone that start uploads into a dataset. */
export function UploadBox(props: {
  project: string;
  dataset: string;
}): JSX.Element {
  const { project, dataset } = props;
  const { trans, uploads } = useEnv();
  const [over, setOver] = React.useState(false);
  const input = React.useRef<HTMLInputElement>(null);
  const start = (files: FileList | null): void => {
    for (const file of Array.from(files ?? [])) {
      if (file.size > 0) {
        uploads.start(project, dataset, file);
      }
    }
  };
  return (
    <div
      className={`openi-DropZone${over ? ' openi-mod-over' : ''}`}
      data-testid="openi-upload-dropzone"
      onDragOver={e => {
        e.preventDefault();
        e.stopPropagation();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={e => {
        e.preventDefault();
        e.stopPropagation();
        setOver(false);
        start(e.dataTransfer.files);
      }}
    >
      <span>{trans.__('Drop files here or')}</span>
      <button
        type="button"
        className="openi-Button openi-mod-primary"
        onClick={() => input.current?.click()}
      >
        {trans.__('Choose files…')}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="openi-upload-input"
        onChange={e => {
          start(e.currentTarget.files);
          e.currentTarget.value = '';
        }}
      />
    </div>
  );
}
