import * as React from 'react';

import type { IssueState } from '../../../api';
import { useEnv } from '../env';

export type StateFilter = IssueState | 'all';

/** State (open/closed/all), label and search filters of a list. */
export function ListFilters(props: {
  state: StateFilter;
  onState: (state: StateFilter) => void;
  query: string;
  onQuery: (q: string) => void;
  label?: string;
  onClearLabel?: () => void;
}): JSX.Element {
  const { state, onState, query, onQuery, label, onClearLabel } = props;
  const { trans } = useEnv();
  const [draft, setDraft] = React.useState(query);
  const states: Array<[StateFilter, string]> = [
    ['open', trans.__('Open')],
    ['closed', trans.__('Closed')],
    ['all', trans.__('All')]
  ];
  return (
    <div className="openi-Toolbar">
      <div className="openi-Segmented" role="group">
        {states.map(([key, title]) => (
          <button
            key={key}
            type="button"
            className={`openi-Button${state === key ? ' openi-mod-on' : ''}`}
            aria-pressed={state === key}
            data-testid={`openi-state-${key}`}
            onClick={() => onState(key)}
          >
            {title}
          </button>
        ))}
      </div>
      {label && (
        <span className="openi-Badge">
          {trans.__('Label: %1', label)}{' '}
          <button
            type="button"
            className="openi-LinkButton"
            aria-label={trans.__('Clear label filter')}
            onClick={onClearLabel}
          >
            ×
          </button>
        </span>
      )}
      <form
        className="openi-SearchForm"
        onSubmit={e => {
          e.preventDefault();
          onQuery(draft.trim());
        }}
      >
        <input
          className="openi-Input"
          type="search"
          value={draft}
          placeholder={trans.__('Search…')}
          aria-label={trans.__('Search')}
          onChange={e => setDraft(e.currentTarget.value)}
        />
      </form>
    </div>
  );
}
