import * as React from 'react';

import type { IIssue } from '../../../api';
import { useEnv } from '../env';
import { LabelChip } from './LabelChip';

/** One issue or pull request in a list. */
export function IssueListItem(props: {
  issue: IIssue;
  onOpen: () => void;
  onLabel?: (name: string) => void;
  extra?: React.ReactNode;
}): JSX.Element {
  const { issue, onOpen, onLabel, extra } = props;
  const { trans } = useEnv();
  return (
    <li className="openi-ListItem" data-testid="openi-issue">
      <div className="openi-ListItem-title">
        <span className={`openi-State openi-mod-${issue.state}`}>
          {issue.state === 'open' ? trans.__('Open') : trans.__('Closed')}
        </span>
        <button
          type="button"
          className="openi-LinkButton openi-ListItem-name"
          onClick={onOpen}
        >
          {issue.title}
        </button>
        {issue.labels.map(label => (
          <LabelChip
            key={label.id}
            label={label}
            onClick={onLabel ? () => onLabel(label.name) : undefined}
          />
        ))}
        {extra}
      </div>
      <div className="openi-ListItem-meta">
        <span>#{issue.number}</span>
        <span>
          {trans.__(
            'opened %1 by %2',
            trans.relativeTime(issue.created_at),
            issue.author?.username ?? '?'
          )}
        </span>
        {issue.milestone && <span>{issue.milestone.title}</span>}
        {issue.comments > 0 && (
          <span>{trans._n('%1 comment', '%1 comments', issue.comments)}</span>
        )}
      </div>
    </li>
  );
}
