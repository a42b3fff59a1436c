import * as React from 'react';

import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { Pager } from '../Pager';
import { useAsync } from '../useAsync';

/** History at a ref, of one path or of everything, newest first. */
export function CommitHistory(props: {
  gitRef: string;
  path: string;
  onCommit: (sha: string) => void;
}): JSX.Element {
  const { gitRef, path, onCommit } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const [page, setPage] = React.useState(1);
  const commits = useAsync(
    () => repo.commits(gitRef, path, page),
    `${gitRef}:${path}:${page}`
  );
  return (
    <div className="openi-History" data-testid="openi-history-list">
      <h3 className="openi-SubTitle">
        {path ? trans.__('History of %1', path) : trans.__('History')}
      </h3>
      <AsyncView state={commits}>
        {data => (
          <>
            <ul className="openi-List">
              {data.items.map(c => (
                <li key={c.sha} className="openi-ListItem">
                  <div className="openi-ListItem-title">
                    <button
                      type="button"
                      className="openi-LinkButton"
                      onClick={() => onCommit(c.sha)}
                    >
                      {c.summary}
                    </button>
                  </div>
                  <div className="openi-ListItem-meta">
                    <span>{c.author_name}</span>
                    <span className="openi-mono">{c.short_sha}</span>
                    <time dateTime={c.committed_at}>
                      {trans.relativeTime(c.committed_at)}
                    </time>
                  </div>
                </li>
              ))}
            </ul>
            <Pager
              page={data.page}
              perPage={data.per_page}
              total={data.total}
              onPage={setPage}
            />
          </>
        )}
      </AsyncView>
    </div>
  );
}
