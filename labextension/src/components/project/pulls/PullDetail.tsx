import * as React from 'react';

import { AsyncView } from '../AsyncView';
import { DiffList } from '../code/DiffList';
import { useEnv, useProject } from '../env';
import { CommentCard, Comments } from '../issues/Comments';
import { IssueHeader } from '../issues/IssueHeader';
import { useAsync } from '../useAsync';
import { MergeBox } from './MergeBox';
import { PullCommits } from './PullCommits';

type PullPane = 'conversation' | 'commits' | 'files';

/** One pull request: conversation, commits, files, merge. */
export function PullDetail(props: {
  number: number;
  onBack: () => void;
}): JSX.Element {
  const { number, onBack } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const [pane, setPane] = React.useState<PullPane>('conversation');
  const pull = useAsync(() => repo.pull(number), `${number}`);
  const files = useAsync(
    () =>
      pane === 'files' ? repo.pullFiles(number) : Promise.resolve(undefined),
    `${number}:${pane}`
  );
  const panes: Array<[PullPane, string]> = [
    ['conversation', trans.__('Conversation')],
    ['commits', trans.__('Commits')],
    ['files', trans.__('Files changed')]
  ];
  return (
    <div className="openi-PullDetail" data-testid="openi-pull-detail">
      <button type="button" className="openi-LinkButton" onClick={onBack}>
        ← {trans.__('All pull requests')}
      </button>
      <AsyncView state={pull}>
        {data => (
          <>
            <IssueHeader issue={data}>
              <span className="openi-mono">
                {data.head} → {data.base}
              </span>
              {data.merged && (
                <span className="openi-State openi-mod-merged">
                  {trans.__('Merged')}
                </span>
              )}
            </IssueHeader>
            <div className="openi-Tabs openi-mod-small" role="tablist">
              {panes.map(([key, title]) => (
                <button
                  key={key}
                  type="button"
                  role="tab"
                  aria-selected={pane === key}
                  className={`openi-Tab${pane === key ? ' openi-mod-active' : ''}`}
                  onClick={() => setPane(key)}
                >
                  {title}
                </button>
              ))}
            </div>
            {pane === 'conversation' && (
              <>
                <CommentCard
                  author={data.author?.username ?? '?'}
                  createdAt={data.created_at}
                  body={data.body}
                />
                <Comments number={number} />
                <MergeBox pull={data} onMerged={pull.reload} />
              </>
            )}
            {pane === 'commits' && <PullCommits number={number} />}
            {pane === 'files' && (
              <AsyncView state={files}>
                {list => (list ? <DiffList files={list} /> : null)}
              </AsyncView>
            )}
          </>
        )}
      </AsyncView>
    </div>
  );
}
