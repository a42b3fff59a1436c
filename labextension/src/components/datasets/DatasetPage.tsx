import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { errorMessage, type IDataset, type IDatasetFile } from '../../api';
import { AsyncView } from '../project/AsyncView';
import { formatSize } from '../project/code/size';
import { useEnv } from '../project/env';
import { Pager } from '../project/Pager';
import { useAsync } from '../project/useAsync';
import { EmptyState, ErrorLine } from '../status';
import { ArchivePreview } from './ArchivePreview';
import { CopyButton, shortSha, useUploads } from './common';
import { UploadBox, UploadPanel } from './UploadPanel';

const FILES_PER_PAGE = 20;

/** Whether a role may change datasets (write and above). */
export function canWrite(role: string | null | undefined): boolean {
  return role === 'write' || role === 'admin' || role === 'owner';
}

/** Asks before deleting; resolves to whether the user confirmed. */
async function confirmDelete(
  title: string,
  body: string,
  cancel: string,
  accept: string
): Promise<boolean> {
  const result = await showDialog({
    title,
    body,
    buttons: [
      Dialog.cancelButton({ label: cancel }),
      Dialog.warnButton({ label: accept })
    ]
  });
  return result.button.accept;
}

/** The files table of a dataset, paged, with actions per file. */
function FilesTable(props: {
  dataset: IDataset;
  generation: number;
  onPreview: (file: IDatasetFile) => void;
  onChanged: () => void;
}): JSX.Element {
  const { dataset, generation, onPreview, onChanged } = props;
  const { client, trans } = useEnv();
  const [page, setPage] = React.useState(1);
  const [error, setError] = React.useState<string | undefined>();
  const files = useAsync(
    () =>
      client.datasets.listFiles(dataset.project, dataset.name, {
        page,
        per_page: FILES_PER_PAGE
      }),
    `${dataset.project}/${dataset.name}#${page}#${generation}`
  );
  const writable = canWrite(dataset.role);

  const remove = async (file: IDatasetFile): Promise<void> => {
    setError(undefined);
    const ok = await confirmDelete(
      trans.__('Delete %1?', file.name),
      trans.__('The file is removed from the dataset. This cannot be undone.'),
      trans.__('Cancel'),
      trans.__('Delete')
    );
    if (!ok) {
      return;
    }
    try {
      await client.datasets.deleteFile(dataset.project, dataset.name, file.id);
      files.reload();
      onChanged();
    } catch (e) {
      // 409: the server names the task or model that uses the file.
      setError(errorMessage(e));
    }
  };

  return (
    <section className="openi-DatasetFiles">
      <h3 className="openi-SubTitle">{trans.__('Files')}</h3>
      {error && <ErrorLine trans={trans} message={error} />}
      <AsyncView state={files}>
        {data =>
          data.items.length === 0 ? (
            <EmptyState
              message={
                writable
                  ? trans.__('No files yet. Upload one above.')
                  : trans.__('No files yet.')
              }
            />
          ) : (
            <>
              <div className="openi-TableWrap">
                <table
                  className="openi-Table"
                  data-testid="openi-dataset-files"
                >
                  <thead>
                    <tr>
                      <th>{trans.__('Name')}</th>
                      <th>{trans.__('Size')}</th>
                      <th>sha256</th>
                      <th>{trans.__('Kind')}</th>
                      <th>{trans.__('Uploaded by')}</th>
                      <th>{trans.__('Created')}</th>
                      <th>{trans.__('Downloads')}</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map(f => (
                      <tr key={f.id} data-testid="openi-dataset-file">
                        <td className="openi-Table-name" title={f.path}>
                          {f.name}
                        </td>
                        <td>{formatSize(f.size)}</td>
                        <td>
                          <span className="openi-mono" title={f.sha256}>
                            {shortSha(f.sha256)}
                          </span>{' '}
                          <CopyButton trans={trans} text={f.sha256} />
                        </td>
                        <td>{f.kind}</td>
                        <td>{f.creator?.username ?? '—'}</td>
                        <td>
                          <time dateTime={f.created_at} title={f.created_at}>
                            {trans.relativeTime(f.created_at)}
                          </time>
                        </td>
                        <td>{f.download_count}</td>
                        <td className="openi-Table-actions">
                          <a
                            className="openi-Button"
                            href={client.datasets.downloadUrl(
                              dataset.project,
                              dataset.name,
                              f.id
                            )}
                            download={f.name}
                          >
                            {trans.__('Download')}
                          </a>
                          {f.kind !== 'other' && (
                            <button
                              type="button"
                              className="openi-Button"
                              data-testid="openi-file-preview"
                              onClick={() => onPreview(f)}
                            >
                              {trans.__('Preview')}
                            </button>
                          )}
                          {writable && (
                            <button
                              type="button"
                              className="openi-Button openi-mod-danger"
                              data-testid="openi-file-delete"
                              onClick={() => void remove(f)}
                            >
                              {trans.__('Delete')}
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager
                page={page}
                perPage={FILES_PER_PAGE}
                total={data.total}
                onPage={setPage}
              />
            </>
          )
        }
      </AsyncView>
    </section>
  );
}

/**
 * The page of one dataset: description, favourite (收藏), delete, upload
 * with progress, the files and archive previews.
 */
export function DatasetPage(props: {
  /** `owner/name` of the project. */
  project: string;
  dataset: string;
  onBack?: () => void;
  onDeleted?: () => void;
}): JSX.Element {
  const { project, dataset: name, onBack, onDeleted } = props;
  const { client, trans, uploads } = useEnv();
  const [generation, setGeneration] = React.useState(0);
  const loaded = useAsync(
    () => client.datasets.get(project, name),
    `${project}/${name}#${generation}`
  );
  const [dataset, setDataset] = React.useState<IDataset | undefined>();
  const [preview, setPreview] = React.useState<IDatasetFile | undefined>();
  const [error, setError] = React.useState<string | undefined>();
  const [deleted, setDeleted] = React.useState(false);
  React.useEffect(() => setDataset(loaded.data), [loaded.data]);

  // Reload the files (and counts) whenever an upload here completes.
  const completed = useUploads(uploads).filter(
    u => u.project === project && u.dataset === name && u.phase === 'completed'
  ).length;
  React.useEffect(() => {
    if (completed > 0) {
      setGeneration(g => g + 1);
    }
  }, [completed]);

  const toggleFavorite = async (current: IDataset): Promise<void> => {
    setError(undefined);
    try {
      setDataset(
        await client.datasets.setFavorite(project, name, !current.favorite)
      );
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const remove = async (): Promise<void> => {
    setError(undefined);
    const ok = await confirmDelete(
      trans.__('Delete dataset %1?', name),
      trans.__(
        'The dataset and all its files are deleted. This cannot be undone.'
      ),
      trans.__('Cancel'),
      trans.__('Delete')
    );
    if (!ok) {
      return;
    }
    try {
      await client.datasets.delete(project, name);
      setDeleted(true);
      onDeleted?.();
    } catch (e) {
      // 409: a file of it is in use; the message says by what.
      setError(errorMessage(e));
    }
  };

  if (deleted) {
    return (
      <div className="openi-DatasetPage" data-testid="openi-dataset-page">
        <EmptyState message={trans.__('The dataset %1 was deleted.', name)} />
      </div>
    );
  }

  return (
    <div className="openi-DatasetPage" data-testid="openi-dataset-page">
      {onBack && (
        <button
          type="button"
          className="openi-LinkButton"
          data-testid="openi-dataset-back"
          onClick={onBack}
        >
          ← {trans.__('All datasets')}
        </button>
      )}
      <AsyncView state={{ ...loaded, data: dataset ?? loaded.data }}>
        {data => (
          <>
            <div className="openi-Toolbar openi-DatasetPage-head">
              <h2 className="openi-ProjectHeader-title">
                <span className="openi-muted">{data.project} / </span>
                {data.name}
              </h2>
              {data.visibility === 'private' && (
                <span className="openi-Badge">{trans.__('Private')}</span>
              )}
              <span className="openi-Toolbar-spacer" />
              <button
                type="button"
                className={`openi-Button${data.favorite ? ' openi-mod-on' : ''}`}
                aria-pressed={data.favorite}
                data-testid="openi-dataset-favorite"
                onClick={() => void toggleFavorite(data)}
              >
                {data.favorite ? '★ ' : '☆ '}
                {data.favorite ? trans.__('Favourited') : trans.__('Favourite')}
                <span className="openi-Button-count">{data.num_favorites}</span>
              </button>
              {canWrite(data.role) && (
                <button
                  type="button"
                  className="openi-Button openi-mod-danger"
                  data-testid="openi-dataset-delete"
                  onClick={() => void remove()}
                >
                  {trans.__('Delete dataset')}
                </button>
              )}
            </div>
            <p className="openi-ProjectHeader-description">
              {data.description || (
                <span className="openi-muted">
                  {trans.__('No description')}
                </span>
              )}
            </p>
            <div className="openi-muted">
              {trans._n('%1 file', '%1 files', data.num_files)} ·{' '}
              {formatSize(data.total_size)}
              {data.creator && <> · {data.creator.username}</>} ·{' '}
              {trans.__('Updated %1', trans.relativeTime(data.updated_at))}
            </div>
            {error && <ErrorLine trans={trans} message={error} />}
            {canWrite(data.role) && (
              <UploadBox project={data.project} dataset={data.name} />
            )}
            <UploadPanel project={data.project} dataset={data.name} />
            <FilesTable
              dataset={data}
              generation={generation}
              onPreview={setPreview}
              onChanged={() => setGeneration(g => g + 1)}
            />
            {preview && (
              <ArchivePreview
                key={preview.id}
                project={data.project}
                dataset={data.name}
                file={preview}
                onClose={() => setPreview(undefined)}
              />
            )}
          </>
        )}
      </AsyncView>
    </div>
  );
}
