import * as React from 'react';

import { useEnv } from '../env';

/**
 * A markdown body rendered with JupyterLab's markdown parser and cleaned by
 * JupyterLab's sanitizer; preformatted text when either is missing.
 */
export function Markdown(props: { source: string }): JSX.Element {
  const { source } = props;
  const { markdownParser, sanitizer } = useEnv();
  const [html, setHtml] = React.useState<string | undefined>();

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

  if (html === undefined) {
    return <div className="openi-Markdown openi-mod-plain">{source}</div>;
  }
  return (
    <div
      className="openi-Markdown jp-RenderedHTMLCommon"
      // Sanitised above with JupyterLab's ISanitizer.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
