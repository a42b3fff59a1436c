import * as React from 'react';

import { errorMessage, type IIssue } from '../../../api';
import { ErrorLine } from '../../status';
import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';
import { CommentCard, Comments } from './Comments';
import { IssueHeader } from './IssueHeader';
import { ReferenceContext, type ITextRef } from './references';

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
  /** Opens another issue of this project (a reference followed). */
  onOpen: (number: number) => void;
}): JSX.Element {
  const { number, onBack, onOpen } = props;
  const { trans, openProject } = useEnv();
  const { repo } = useProject();
  const issue = useAsync(() => repo.issue(number), `${number}`);
  // this project's issues open here; another project's opens that project
  const follow = (ref: ITextRef): void => {
    if (
      !ref.project ||
      ref.project.toLowerCase() === repo.fullName.toLowerCase()
    ) {
      onOpen(ref.number);
    } else {
      const [owner, name] = ref.project.split('/');
      openProject(owner, name);
    }
  };
  return (
    <ReferenceContext.Provider value={follow}>
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
                <div
                  className="openi-References"
                  data-testid="openi-referenced-by"
                >
                  <span className="openi-muted">
                    {trans.__('Referenced by')}
                  </span>
                  {data.referenced_by.map(ref => (
                    <span key={`${ref.project}#${ref.number}`}>
                      {ref.is_pull ? (
                        `${ref.project}#${ref.number}`
                      ) : (
                        <button
                          type="button"
                          className="openi-LinkButton"
                          onClick={() =>
                            follow({ project: ref.project, number: ref.number })
                          }
                        >
                          {ref.project}#{ref.number}
                        </button>
                      )}{' '}
                      {ref.title}
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
    </ReferenceContext.Provider>
  );
}
