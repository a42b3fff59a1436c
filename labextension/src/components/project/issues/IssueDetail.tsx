import * as React from 'react';

import { errorMessage, type IIssue } from '../../../api';
import { ErrorLine } from '../../status';
import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';
import { CommentCard, Comments } from './Comments';
import { IssueHeader } from './IssueHeader';

/** Close or reopen (`PATCH …/issues/{n}` with `{state}`). */
function StateButton(props: {
  issue: IIssue;
  onDone: () => void;
}): JSX.Element {
  const { issue, onDone } = props;
  const { trans } = useEnv();
  const { repo, reload } = useProject();
  const [error, setError] = React.useState<string | undefined>();
  const [busy, setBusy] = React.useState(false);
  const toggle = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await repo.updateIssue(issue.number, {
        state: issue.state === 'open' ? 'closed' : 'open'
      });
      reload();
      onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className="openi-Button"
        disabled={busy}
        data-testid="openi-issue-state-toggle"
        onClick={() => void toggle()}
      >
        {issue.state === 'open' ? trans.__('Close issue') : trans.__('Reopen')}
      </button>
      {error && <ErrorLine trans={trans} message={error} />}
    </>
  );
}

/** One issue: header, body, references, comments, close/reopen. */
export function IssueDetail(props: {
  number: number;
  onBack: () => void;
}): JSX.Element {
  const { number, onBack } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const issue = useAsync(() => repo.issue(number), `${number}`);
  return (
    <div className="openi-IssueDetail" data-testid="openi-issue-detail">
      <button type="button" className="openi-LinkButton" onClick={onBack}>
        ← {trans.__('All issues')}
      </button>
      <AsyncView state={issue}>
        {data => (
          <>
            <IssueHeader issue={data} />
            <CommentCard
              author={data.author?.username ?? '?'}
              createdAt={data.created_at}
              body={data.body}
            />
            {data.referenced_by.length > 0 && (
              <div className="openi-References">
                <span className="openi-muted">{trans.__('Referenced by')}</span>
                {data.referenced_by.map(ref => (
                  <span key={`${ref.project}#${ref.number}`}>
                    {ref.project}#{ref.number} {ref.title}
                  </span>
                ))}
              </div>
            )}
            <Comments number={number} />
            <div className="openi-Form-buttons">
              <StateButton issue={data} onDone={issue.reload} />
            </div>
          </>
        )}
      </AsyncView>
    </div>
  );
}
