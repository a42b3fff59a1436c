import * as React from 'react';

import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';

/** The latest commit touching `path` at `gitRef`: summary, author, time. */
export function LatestCommit(props: {
  gitRef: string;
  path: string;
  onCommit: (sha: string) => void;
}): JSX.Element | null {
  const { gitRef, path, onCommit } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const commits = useAsync(
    () => repo.commits(gitRef, path, 1),
    `${gitRef}:${path}`
  );
  const commit = commits.data?.items[0];
  if (!commit) {
    return null;
  }
  return (
    <div className="openi-LatestCommit" data-testid="openi-latest-commit">
      <strong>{commit.author_name}</strong>
      <span className="openi-LatestCommit-summary">{commit.summary}</span>
      <button
        type="button"
        className="openi-LinkButton openi-mono"
        onClick={() => onCommit(commit.sha)}
      >
        {commit.short_sha}
      </button>
      <time className="openi-muted" dateTime={commit.committed_at}>
        {trans.relativeTime(commit.committed_at)}
      </time>
    </div>
  );
}
