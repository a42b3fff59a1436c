import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

/** A collapsible block of the sidebar (Explore, Projects, …). */
export function Section(props: {
  /** Stable key; the element gets `data-testid="openi-section-<key>"`. */
  sectionKey: string;
  title: string;
  initiallyOpen?: boolean;
  children?: React.ReactNode;
}): JSX.Element {
  const { sectionKey, title, children } = props;
  const [open, setOpen] = React.useState(props.initiallyOpen ?? true);
  const bodyId = `openi-section-body-${sectionKey}`;
  const Caret = open ? caretDownIcon : caretRightIcon;
  return (
    <section
      className={`openi-Section${open ? ' openi-mod-open' : ''}`}
      data-testid={`openi-section-${sectionKey}`}
    >
      <button
        type="button"
        className="openi-Section-header"
        aria-expanded={open}
        aria-controls={bodyId}
        onClick={() => setOpen(o => !o)}
      >
        <Caret.react tag="span" className="openi-Section-caret" />
        <span className="openi-Section-title">{title}</span>
      </button>
      {open && (
        <div id={bodyId} className="openi-Section-body">
          {children}
        </div>
      )}
    </section>
  );
}
