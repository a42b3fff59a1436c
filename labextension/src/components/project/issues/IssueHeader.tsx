import * as React from 'react';

import type { IIssue } from '../../../api';
import { useEnv } from '../env';
import { LabelChip } from './LabelChip';

/** Title, number, state, labels, assignees and milestone of an issue. */
export function IssueHeader(props: {
  issue: IIssue;
  children?: React.ReactNode;
}): JSX.Element {
  const { issue, children } = props;
  const { trans } = useEnv();
  return (
    <header className="openi-IssueHeader">
      <h2 className="openi-IssueHeader-title">
        {issue.title} <span className="openi-muted">#{issue.number}</span>
      </h2>
      <div className="openi-ListItem-meta">
        <span className={`openi-State openi-mod-${issue.state}`}>
          {issue.state === 'open' ? trans.__('Open') : trans.__('Closed')}
        </span>
        <span>
          {trans.__(
            'opened %1 by %2',
            trans.relativeTime(issue.created_at),
            issue.author?.username ?? '?'
          )}
        </span>
        {issue.labels.map(label => (
          <LabelChip key={label.id} label={label} />
        ))}
        {issue.assignees.length > 0 && (
          <span>
            {trans.__(
              'Assignees: %1',
              issue.assignees.map(u => u.username).join(', ')
            )}
          </span>
        )}
        {issue.milestone && (
          <span>{trans.__('Milestone: %1', issue.milestone.title)}</span>
        )}
        {children}
      </div>
    </header>
  );
}
