import * as React from 'react';

import type { ITrans } from '../i18n';

export type ProjectFilter = 'all' | 'mine' | 'orgs' | 'starred';

/** key, chip label, tooltip: the labels are short to fit on one line. */
const FILTERS: Array<[ProjectFilter, string, string]> = [
  ['all', 'All', 'All projects'],
  ['mine', 'Mine', 'My projects'],
  ['orgs', 'Orgs', 'My organisations'],
  ['starred', 'Starred', 'Starred projects']
];

/** Filter tabs, the organisation picker, the search box and "New project". */
export function ProjectFilterBar(props: {
  trans: ITrans;
  filter: ProjectFilter;
  onFilter: (filter: ProjectFilter) => void;
  onSearch: (q: string) => void;
  orgs: string[];
  org: string;
  onOrg: (org: string) => void;
  onNew?: () => void;
}): JSX.Element {
  const { trans, filter, onFilter, onSearch, orgs, org, onOrg, onNew } = props;
  const [draft, setDraft] = React.useState('');
  return (
    <div className="openi-ProjectFilterBar">
      <div className="openi-Segmented" role="tablist">
        {FILTERS.map(([key, label, title]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={filter === key}
            className={`openi-Chip${filter === key ? ' openi-mod-on' : ''}`}
            title={trans.__(title)}
            data-testid={`openi-project-filter-${key}`}
            onClick={() => onFilter(key)}
          >
            {trans.__(label)}
          </button>
        ))}
      </div>
      {filter === 'orgs' && orgs.length > 0 && (
        <select
          className="openi-Select"
          value={org}
          aria-label={trans.__('Organisation')}
          onChange={e => onOrg(e.currentTarget.value)}
        >
          {orgs.map(o => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
      <div className="openi-ProjectFilterBar-row">
        <form
          className="openi-SearchForm"
          onSubmit={e => {
            e.preventDefault();
            onSearch(draft.trim());
          }}
        >
          <input
            className="openi-Input"
            type="search"
            value={draft}
            placeholder={trans.__('Search…')}
            aria-label={trans.__('Search projects')}
            data-testid="openi-project-search"
            onChange={e => {
              setDraft(e.currentTarget.value);
              if (!e.currentTarget.value) {
                onSearch('');
              }
            }}
          />
        </form>
        {onNew && (
          <button
            type="button"
            className="openi-Button openi-mod-primary"
            data-testid="openi-new-project"
            onClick={onNew}
          >
            {trans.__('New project')}
          </button>
        )}
      </div>
    </div>
  );
}
