import * as React from 'react';

import { useEnv } from './env';

/** Previous / next page buttons with "Page 2 of 5". */
export function Pager(props: {
  page: number;
  perPage: number;
  total: number;
  onPage: (page: number) => void;
}): JSX.Element | null {
  const { page, perPage, total, onPage } = props;
  const { trans } = useEnv();
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1 && page <= 1) {
    return null;
  }
  return (
    <div className="openi-Pager" data-testid="openi-pager">
      <button
        type="button"
        className="openi-Button"
        disabled={page <= 1}
        onClick={() => onPage(page - 1)}
      >
        {trans.__('Previous')}
      </button>
      <span>{trans.__('Page %1 of %2', page, pages)}</span>
      <button
        type="button"
        className="openi-Button"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
      >
        {trans.__('Next')}
      </button>
    </div>
  );
}
