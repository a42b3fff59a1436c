import * as React from 'react';

import { useEnv } from '../env';
import {
  clickedReference,
  linkReferences,
  ReferenceContext
} from './references';

/**
 * A markdown body rendered with JupyterLab's markdown parser and cleaned by
 * JupyterLab's sanitizer; preformatted text when either is missing. Where a
 * `ReferenceContext` is provided, `#12` and `owner/name#12` become links.
 */
export function Markdown(props: { source: string }): JSX.Element {
  const { source } = props;
  const { markdownParser, sanitizer } = useEnv();
  const [html, setHtml] = React.useState<string | undefined>();
  const follow = React.useContext(ReferenceContext);
  const body = React.useRef<HTMLDivElement>(null);
  const linked = !!follow;

  React.useEffect(() => {
    let current = true;
    setHtml(undefined);
    if (markdownParser && sanitizer && source) {
      markdownParser.render(source).then(
        rendered => current && setHtml(sanitizer.sanitize(rendered)),
        () => current && setHtml(undefined)
      );
    }
    return () => {
      current = false;
    };
  }, [markdownParser, sanitizer, source]);

  React.useEffect(() => {
    if (linked && html !== undefined && body.current) {
      linkReferences(body.current);
    }
  }, [html, linked]);

  if (html === undefined) {
    return <div className="openi-Markdown openi-mod-plain">{source}</div>;
  }
  return (
    <div
      ref={body}
      className="openi-Markdown jp-RenderedHTMLCommon"
      onClick={e => {
        const ref = follow && clickedReference(e.target);
        if (ref) {
          e.preventDefault();
          follow(ref);
        }
      }}
      // Sanitised above with JupyterLab's ISanitizer.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
