import * as React from 'react';

import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';
import { DiffList } from './DiffList';

/** One commit: message, author, time and its unified diffs. */
export function CommitView(props: { sha: string }): JSX.Element {
  const { sha } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const commit = useAsync(() => repo.commit(sha), sha);
  return (
    <div className="openi-CommitView" data-testid="openi-commit-view">
      <AsyncView state={commit}>
        {data => (
          <>
            <h3 className="openi-SubTitle">{data.summary}</h3>
            {data.message.trim() !== data.summary && (
              <pre className="openi-Pre">{data.message}</pre>
            )}
            <div className="openi-ListItem-meta">
              <span>{data.author_name}</span>
              <span className="openi-mono">{data.sha}</span>
              <time dateTime={data.committed_at}>
                {trans.relativeTime(data.committed_at)}
              </time>
            </div>
            <DiffList files={data.files} />
          </>
        )}
      </AsyncView>
    </div>
  );
}
