import * as React from 'react';

import type { IEvent, IEventLink } from '../../api/communityTypes';
import type { ITrans } from '../../i18n';
import { Avatar, NavLink } from './common';
import { openRef } from './linkTargets';

/** A piece of a sentence: plain text, or a link. */
type Piece = string | IEventLink;

/**
 * Cuts `text` at the links' substrings (first free occurrence of each,
 * longest first), so the server decides the wording in both
 * languages and the view only decides what is clickable.
 */
export function splitSentence(text: string, links: IEventLink[]): Piece[] {
  const found: Array<{ start: number; link: IEventLink }> = [];
  const taken: Array<[number, number]> = [];
  // Longest first: `owner/name#12` wins over the `owner/name` inside it.
  const longestFirst = [...links].sort((a, b) => b.text.length - a.text.length);
  for (const link of longestFirst) {
    if (!link.text) {
      continue;
    }
    let start = text.indexOf(link.text);
    // The same text twice (actor and owner): take the next free occurrence.
    while (
      start >= 0 &&
      taken.some(([a, b]) => start < b && start + link.text.length > a)
    ) {
      start = text.indexOf(link.text, start + 1);
    }
    if (start >= 0) {
      found.push({ start, link });
      taken.push([start, start + link.text.length]);
    }
  }
  found.sort((a, b) => a.start - b.start);
  const pieces: Piece[] = [];
  let at = 0;
  for (const { start, link } of found) {
    if (start > at) {
      pieces.push(text.slice(at, start));
    }
    pieces.push(link);
    at = start + link.text.length;
  }
  if (at < text.length) {
    pieces.push(text.slice(at));
  }
  return pieces;
}

/** One event: "wangj closed issue OpenI/aiforge#1770 · 1 hour ago". */
export function EventItem(props: {
  event: IEvent;
  trans: ITrans;
}): JSX.Element {
  const { event, trans } = props;
  const text = trans.isChinese ? event.text_zh : event.text_en;
  const pieces = splitSentence(text, event.links);
  // System events (a task finished) have no actor: show the project's owner.
  const actor = event.actor?.username ?? event.project ?? '?';
  return (
    <li
      className="openi-Event"
      data-testid="openi-event"
      data-kind={event.kind}
    >
      <Avatar name={actor} size={22} />
      <div className="openi-Event-body">
        <span className="openi-Event-text">
          {pieces.map((piece, i) =>
            typeof piece === 'string' ? (
              <React.Fragment key={i}>{piece}</React.Fragment>
            ) : (
              <NavLink
                key={i}
                className={`openi-Event-link openi-mod-${piece.kind}`}
                testid={`openi-event-link-${piece.kind}`}
                title={piece.ref}
                onOpen={nav => openRef(nav, piece.kind, piece.ref)}
              >
                {piece.text}
              </NavLink>
            )
          )}
        </span>
        <span className="openi-Event-time" title={event.created_at}>
          {trans.relativeTime(event.created_at)}
        </span>
      </div>
    </li>
  );
}
