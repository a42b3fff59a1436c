import * as React from 'react';

import type { IFileContent } from '../../../api';
import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';
import { NotebookView } from './NotebookView';
import { ReadOnlyEditor } from './ReadOnlyEditor';
import { formatSize } from './size';

/** Size and a Download link, for binary or too large files. */
function DownloadOnly(props: {
  file: IFileContent;
  href: string;
}): JSX.Element {
  const { file, href } = props;
  const { trans } = useEnv();
  return (
    <div className="openi-EmptyState" data-testid="openi-file-download">
      <div>
        {file.is_binary
          ? trans.__('Binary file, %1', formatSize(file.size))
          : trans.__('File too large to show, %1', formatSize(file.size))}
      </div>
      <a className="openi-Button" href={href} download>
        {trans.__('Download')}
      </a>
    </div>
  );
}

/**
 * A file at a ref: notebooks rendered, text in a read-only editor, other
 * files as a download link.
 */
export function FileView(props: { gitRef: string; path: string }): JSX.Element {
  const { gitRef, path } = props;
  if (path.toLowerCase().endsWith('.ipynb')) {
    return <NotebookView gitRef={gitRef} path={path} />;
  }
  return <TextFileView gitRef={gitRef} path={path} />;
}

/** A text file in a read-only editor, or size and a download link. */
function TextFileView(props: { gitRef: string; path: string }): JSX.Element {
  const { gitRef, path } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const href = repo.rawUrl(gitRef, path);
  const file = useAsync(() => repo.file(gitRef, path), `${gitRef}:${path}`);
  return (
    <div className="openi-FileView" data-testid="openi-file-view">
      <AsyncView state={file}>
        {data =>
          data.text === null || data.is_binary ? (
            <DownloadOnly file={data} href={href} />
          ) : (
            <>
              <div className="openi-FileView-meta">
                <span>{formatSize(data.size)}</span>
                {data.truncated && (
                  <span className="openi-Badge openi-mod-warn">
                    {trans.__('Truncated')}
                  </span>
                )}
                <a href={href} download className="openi-LinkButton">
                  {trans.__('Download')}
                </a>
              </div>
              <ReadOnlyEditor path={data.path} text={data.text} />
            </>
          )
        }
      </AsyncView>
    </div>
  );
}
