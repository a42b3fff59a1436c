import * as React from 'react';

import type { ITrans } from '../i18n';

// Small shared views for the states every section goes through.

export function Loading(props: { trans: ITrans }): JSX.Element {
  return (
    <div className="openi-Loading" role="status" data-testid="openi-loading">
      {props.trans.__('Loading…')}
    </div>
  );
}

/** A failed request: the server's message, with a retry button if given. */
export function ErrorLine(props: {
  trans: ITrans;
  message: string;
  onRetry?: () => void;
}): JSX.Element {
  const { trans, message, onRetry } = props;
  return (
    <div className="openi-ErrorLine" role="alert" data-testid="openi-error">
      <span className="openi-ErrorLine-text">
        {trans.__('Error: %1', message)}
      </span>
      {onRetry && (
        <button
          type="button"
          className="openi-LinkButton"
          onClick={onRetry}
          data-testid="openi-retry"
        >
          {trans.__('Retry')}
        </button>
      )}
    </div>
  );
}

/** What a section shows when it has nothing to list (yet). */
export function EmptyState(props: {
  title?: string;
  message: string;
}): JSX.Element {
  return (
    <div className="openi-EmptyState" data-testid="openi-empty">
      {props.title && (
        <div className="openi-EmptyState-title">{props.title}</div>
      )}
      <div className="openi-EmptyState-message">{props.message}</div>
    </div>
  );
}

/** "More" button and count under a paged list. */
export function MoreFooter(props: {
  trans: ITrans;
  shown: number;
  total: number;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
}): JSX.Element | null {
  const { trans, shown, total, hasMore, loading, onMore } = props;
  if (!hasMore) {
    return null;
  }
  return (
    <div className="openi-MoreFooter">
      <span className="openi-MoreFooter-count">
        {trans.__('Showing %1 of %2', shown, total)}
      </span>
      <button
        type="button"
        className="openi-LinkButton"
        disabled={loading}
        onClick={onMore}
        data-testid="openi-more"
      >
        {loading ? trans.__('Loading…') : trans.__('More')}
      </button>
    </div>
  );
}
