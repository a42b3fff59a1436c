import * as React from 'react';

import { errorMessage, type IDatasetFile, type IPreview } from '../../api';
import { AsyncView } from '../project/AsyncView';
import { formatSize } from '../project/code/size';
import { useEnv } from '../project/env';
import { Pager } from '../project/Pager';
import { useAsync } from '../project/useAsync';
import { ErrorLine, Loading } from '../status';
import { FlagBadges } from './common';

const MEMBERS_PER_PAGE = 50;

/** The head of one member: text, a CSV table, JSON or a thumbnail. */
function MemberPreview(props: { preview: IPreview }): JSX.Element {
  const { preview } = props;
  const { trans } = useEnv();
  let body: JSX.Element;
  switch (preview.kind) {
    case 'image':
      body = preview.image ? (
        <img
          className="openi-Preview-image"
          src={preview.image}
          alt={preview.name}
        />
      ) : (
        <div className="openi-muted">{trans.__('No thumbnail.')}</div>
      );
      break;
    case 'csv':
      body = (
        <div className="openi-Preview-tableWrap">
          <table className="openi-Table openi-Preview-table">
            <tbody>
              {(preview.rows ?? []).map((row, i) => (
                <tr key={i}>
                  {row.map((cell, j) =>
                    i === 0 ? <th key={j}>{cell}</th> : <td key={j}>{cell}</td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
      break;
    case 'json': {
      let text = preview.text ?? '';
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // Truncated JSON does not parse: show it as it came.
      }
      body = <pre className="openi-Pre">{text}</pre>;
      break;
    }
    case 'text':
      body = <pre className="openi-Pre">{preview.text ?? ''}</pre>;
      break;
    default:
      body = (
        <div className="openi-muted">
          {trans.__('Binary content cannot be previewed.')}
        </div>
      );
  }
  return (
    <div className="openi-Preview" data-testid="openi-member-preview">
      <div className="openi-Preview-title openi-mono">{preview.name}</div>
      {body}
      {preview.truncated && (
        <div className="openi-muted">
          {trans.__('Only the beginning is shown.')}
        </div>
      )}
    </div>
  );
}

/** Members of a zip or tar.gz file, paged, with warning flags; preview one. */
export function ArchivePreview(props: {
  project: string;
  dataset: string;
  file: IDatasetFile;
  onClose: () => void;
}): JSX.Element {
  const { project, dataset, file, onClose } = props;
  const { client, trans } = useEnv();
  const [page, setPage] = React.useState(1);
  const members = useAsync(
    () =>
      client.datasets.members(project, dataset, file.id, {
        page,
        per_page: MEMBERS_PER_PAGE
      }),
    `${file.id}#${page}`
  );
  const [selected, setSelected] = React.useState<string | undefined>();
  const [preview, setPreview] = React.useState<IPreview | undefined>();
  const [previewError, setPreviewError] = React.useState<string | undefined>();

  const open = (name: string): void => {
    setSelected(name);
    setPreview(undefined);
    setPreviewError(undefined);
    client.datasets.preview(project, dataset, file.id, name).then(
      p => setPreview(p),
      e => setPreviewError(errorMessage(e))
    );
  };

  return (
    <section
      className="openi-ArchivePreview"
      data-testid="openi-archive-preview"
    >
      <div className="openi-Toolbar">
        <h3 className="openi-SubTitle">
          {trans.__('Contents of %1', file.name)}
        </h3>
        <span className="openi-Toolbar-spacer" />
        <button type="button" className="openi-Button" onClick={onClose}>
          {trans.__('Close preview')}
        </button>
      </div>
      <AsyncView state={members}>
        {data => (
          <>
            {data.archive_flags.length > 0 && (
              <div className="openi-ErrorLine" role="alert">
                {trans.__('This archive is flagged:')}{' '}
                <FlagBadges trans={trans} flags={data.archive_flags} />
              </div>
            )}
            <div className="openi-muted">
              {trans._n('%1 entry', '%1 entries', data.total)}
            </div>
            <ul
              className="openi-List openi-Members"
              data-testid="openi-members"
            >
              {data.items.map(m => (
                <li
                  key={m.name}
                  className={`openi-Member${selected === m.name ? ' openi-mod-selected' : ''}`}
                >
                  {m.previewable && !m.is_dir && m.flags.length === 0 ? (
                    <button
                      type="button"
                      className="openi-LinkButton openi-Member-name"
                      title={m.name}
                      onClick={() => open(m.name)}
                    >
                      {m.name}
                    </button>
                  ) : (
                    <span className="openi-Member-name" title={m.name}>
                      {m.name}
                    </span>
                  )}
                  <FlagBadges trans={trans} flags={m.flags} />
                  <span className="openi-Toolbar-spacer" />
                  {!m.is_dir && (
                    <span className="openi-muted">{formatSize(m.size)}</span>
                  )}
                </li>
              ))}
            </ul>
            <Pager
              page={page}
              perPage={MEMBERS_PER_PAGE}
              total={data.total}
              onPage={setPage}
            />
          </>
        )}
      </AsyncView>
      {selected && !preview && !previewError && <Loading trans={trans} />}
      {previewError && <ErrorLine trans={trans} message={previewError} />}
      {preview && <MemberPreview preview={preview} />}
    </section>
  );
}
