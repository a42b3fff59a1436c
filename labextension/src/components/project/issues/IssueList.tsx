import * as React from 'react';

import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { Pager } from '../Pager';
import { useAsync } from '../useAsync';
import { IssueListItem } from './IssueListItem';
import { ListFilters, type StateFilter } from './ListFilters';

const PER_PAGE = 20;

/** Issues with state, label and search filters, paged. */
export function IssueList(props: {
  onOpen: (number: number) => void;
}): JSX.Element {
  const { onOpen } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const [state, setState] = React.useState<StateFilter>('open');
  const [label, setLabel] = React.useState('');
  const [q, setQ] = React.useState('');
  const [page, setPage] = React.useState(1);
  const issues = useAsync(
    () => repo.issues({ state, label, q, page, per_page: PER_PAGE }),
    JSON.stringify([state, label, q, page])
  );
  const filter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(1);
    };
  return (
    <>
      <ListFilters
        state={state}
        onState={filter(setState)}
        query={q}
        onQuery={filter(setQ)}
        label={label}
        onClearLabel={() => filter(setLabel)('')}
      />
      <AsyncView state={issues}>
        {data =>
          data.items.length === 0 ? (
            <div className="openi-EmptyState" data-testid="openi-empty">
              {state === 'open' && !q && !label
                ? trans.__('No issues yet — open the first one.')
                : trans.__('No issues match.')}
            </div>
          ) : (
            <>
              <ul className="openi-List" data-testid="openi-issue-list">
                {data.items.map(issue => (
                  <IssueListItem
                    key={issue.id}
                    issue={issue}
                    onOpen={() => onOpen(issue.number)}
                    onLabel={filter(setLabel)}
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
    </>
  );
}
