import * as React from 'react';

import type { ITrans } from '../../i18n';
import { communityNavigation, type ICommunityNavigation } from './navigation';

/**
 * A link that opens another OpenI page through the community navigation
 * (looked up at click time: the sidebar may render before the community
 * plugin starts).
 */
export function NavLink(props: {
  onOpen: (nav: ICommunityNavigation) => void;
  children: React.ReactNode;
  testid?: string;
  title?: string;
  className?: string;
}): JSX.Element {
  const className = `openi-NavLink${props.className ? ` ${props.className}` : ''}`;
  return (
    <button
      type="button"
      className={className}
      title={props.title}
      data-testid={props.testid}
      onClick={event => {
        event.stopPropagation();
        const nav = communityNavigation();
        if (nav) {
          props.onOpen(nav);
        }
      }}
    >
      {props.children}
    </button>
  );
}

/** `owner/name`, opening the project view. */
export function ProjectLink(props: {
  fullName: string;
  label?: React.ReactNode;
}): JSX.Element {
  const [owner, name] = splitFullName(props.fullName);
  return (
    <NavLink
      testid="openi-project-link"
      title={props.fullName}
      onOpen={nav => nav.openProject(owner, name)}
    >
      {props.label ?? props.fullName}
    </NavLink>
  );
}

/** A user name, opening the user's page. */
export function UserLink(props: {
  username: string;
  label?: React.ReactNode;
}): JSX.Element {
  return (
    <NavLink
      testid="openi-user-link"
      className="openi-NavLink-user"
      onOpen={nav => nav.openUser(props.username)}
    >
      {props.label ?? props.username}
    </NavLink>
  );
}

/** An organisation name, opening its page. */
export function OrgLink(props: {
  name: string;
  label?: React.ReactNode;
}): JSX.Element {
  return (
    <NavLink testid="openi-org-link" onOpen={nav => nav.openOrg(props.name)}>
      {props.label ?? props.name}
    </NavLink>
  );
}

/** `owner/name` → `[owner, name]` (name empty when there is no slash). */
export function splitFullName(fullName: string): [string, string] {
  const slash = fullName.indexOf('/');
  return slash < 0
    ? [fullName, '']
    : [fullName.slice(0, slash), fullName.slice(slash + 1)];
}

/** A round avatar: the picture, or the first letter of the name. */
export function Avatar(props: {
  name: string;
  url?: string | null;
  size?: number;
}): JSX.Element {
  const { name, url, size = 28 } = props;
  const style = { width: size, height: size, fontSize: size * 0.45 };
  if (url) {
    return <img className="openi-Avatar" src={url} alt="" style={style} />;
  }
  return (
    <span className="openi-Avatar" aria-hidden="true" style={style}>
      {(name[0] ?? '?').toUpperCase()}
    </span>
  );
}

/** Previous / next with "Page 2 of 5" for main-area lists. */
export function PageButtons(props: {
  trans: ITrans;
  page: number;
  perPage: number;
  total: number;
  onPage: (page: number) => void;
}): JSX.Element | null {
  const { trans, page, perPage, total, onPage } = props;
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1 && page <= 1) {
    return null;
  }
  return (
    <div className="openi-Pager" data-testid="openi-community-pager">
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

/** A compact number: 1234 → "1.2k". */
export function compactNumber(n: number): string {
  if (Math.abs(n) >= 1_000_000) {
    return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
  }
  if (Math.abs(n) >= 1000) {
    return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  }
  return String(n);
}
