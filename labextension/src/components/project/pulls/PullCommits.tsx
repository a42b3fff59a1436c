import * as React from 'react';

import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';

/** Commits of a pull request. */
export function PullCommits(props: { number: number }): JSX.Element {
  const { number } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const commits = useAsync(() => repo.pullCommits(number), `${number}`);
  return (
    <AsyncView state={commits}>
      {data => (
        <ul className="openi-List">
          {data.map(c => (
            <li key={c.sha} className="openi-ListItem">
              <div className="openi-ListItem-title">{c.summary}</div>
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
      )}
    </AsyncView>
  );
}
