import * as React from 'react';

import { useEnv } from '../env';
import { BoardView } from './BoardView';
import { IssueDetail } from './IssueDetail';
import { IssueList } from './IssueList';
import { NewIssueForm } from './NewIssueForm';

type IssuesView =
  | { kind: 'list' }
  | { kind: 'board' }
  | { kind: 'new' }
  | { kind: 'detail'; number: number };

/** Issues (任务): list or board, the new-issue form and one issue. */
export function IssuesTab(): JSX.Element {
  const { trans } = useEnv();
  const [view, setView] = React.useState<IssuesView>({ kind: 'list' });
  const open = (number: number): void => setView({ kind: 'detail', number });
  const back = (): void => setView({ kind: 'list' });
  switch (view.kind) {
    case 'new':
      return <NewIssueForm onCreated={open} onCancel={back} />;
    case 'detail':
      return (
        // a new instance per issue: no comment draft or stale issue carries over
        <IssueDetail
          key={view.number}
          number={view.number}
          onBack={back}
          onOpen={open}
        />
      );
    default:
      return (
        <div className="openi-IssuesTab" data-testid="openi-issues-tab">
          <div className="openi-Toolbar">
            <div className="openi-Segmented" role="group">
              <button
                type="button"
                className={`openi-Button${view.kind === 'list' ? ' openi-mod-on' : ''}`}
                onClick={back}
              >
                {trans.__('List')}
              </button>
              <button
                type="button"
                className={`openi-Button${view.kind === 'board' ? ' openi-mod-on' : ''}`}
                data-testid="openi-board-toggle"
                onClick={() => setView({ kind: 'board' })}
              >
                {trans.__('Board')}
              </button>
            </div>
            <span className="openi-Toolbar-spacer" />
            <button
              type="button"
              className="openi-Button openi-mod-primary"
              data-testid="openi-new-issue"
              onClick={() => setView({ kind: 'new' })}
            >
              {trans.__('New issue')}
            </button>
          </div>
          {view.kind === 'board' ? (
            <BoardView onOpen={open} />
          ) : (
            <IssueList onOpen={open} />
          )}
        </div>
      );
  }
}
