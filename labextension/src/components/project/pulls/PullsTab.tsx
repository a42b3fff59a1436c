import * as React from 'react';

import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { IssueListItem } from '../issues/IssueListItem';
import { ListFilters, type StateFilter } from '../issues/ListFilters';
import { Pager } from '../Pager';
import { useAsync } from '../useAsync';
import { NewPullForm } from './NewPullForm';
import { PullDetail } from './PullDetail';

type PullsView =
  { kind: 'list' } | { kind: 'new' } | { kind: 'detail'; number: number };

/** Pull requests (合并请求): list, new and one pull request. */
export function PullsTab(): JSX.Element {
  const { trans } = useEnv();
  const { repo } = useProject();
  const [view, setView] = React.useState<PullsView>({ kind: 'list' });
  const [state, setState] = React.useState<StateFilter>('open');
  const [q, setQ] = React.useState('');
  const [page, setPage] = React.useState(1);
  const pulls = useAsync(
    () => repo.pulls({ state, q, page }),
    JSON.stringify([view.kind, state, q, page])
  );
  const open = (number: number): void => setView({ kind: 'detail', number });
  const back = (): void => setView({ kind: 'list' });

  if (view.kind === 'new') {
    return <NewPullForm onCreated={open} onCancel={back} />;
  }
  if (view.kind === 'detail') {
    return <PullDetail number={view.number} onBack={back} />;
  }
  return (
    <div className="openi-PullsTab" data-testid="openi-pulls-tab">
      <div className="openi-Toolbar">
        <span className="openi-Toolbar-spacer" />
        <button
          type="button"
          className="openi-Button openi-mod-primary"
          data-testid="openi-new-pull"
          onClick={() => setView({ kind: 'new' })}
        >
          {trans.__('New pull request')}
        </button>
      </div>
      <ListFilters
        state={state}
        onState={s => {
          setState(s);
          setPage(1);
        }}
        query={q}
        onQuery={v => {
          setQ(v);
          setPage(1);
        }}
      />
      <AsyncView state={pulls}>
        {data =>
          data.items.length === 0 ? (
            <div className="openi-EmptyState" data-testid="openi-empty">
              {trans.__('No pull requests yet.')}
            </div>
          ) : (
            <>
              <ul className="openi-List">
                {data.items.map(pull => (
                  <IssueListItem
                    key={pull.id}
                    issue={pull}
                    onOpen={() => open(pull.number)}
                    extra={
                      <span className="openi-muted openi-mono">
                        {pull.head} → {pull.base}
                      </span>
                    }
                  />
                ))}
              </ul>
              <Pager
                page={data.page}
                perPage={data.per_page}
                total={data.total}
                onPage={setPage}
              />
            </>
          )
        }
      </AsyncView>
    </div>
  );
}
