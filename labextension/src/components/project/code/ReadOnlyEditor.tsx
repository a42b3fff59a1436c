import { CodeEditor, CodeEditorWrapper } from '@jupyterlab/codeeditor';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { useEnv } from '../env';

/**
 * A read-only JupyterLab code editor (CodeMirror through `IEditorServices`),
 * highlighted by the mimetype of the file name.
 */
export function ReadOnlyEditor(props: {
  path: string;
  text: string;
}): JSX.Element {
  const { path, text } = props;
  const { editorServices } = useEnv();
  const host = React.useRef<HTMLDivElement>(null);

  // A layout effect: its clean-up runs while the host is still in the page.
  // A passive effect's runs after React removed it, and disposing a Lumino
  // widget whose node left the document throws ("Widget is not attached"),
  // which unmounted the whole project view.
  React.useLayoutEffect(() => {
    if (!editorServices || !host.current) {
      return;
    }
    const model = new CodeEditor.Model({
      mimeType: editorServices.mimeTypeService.getMimeTypeByFilePath(path)
    });
    model.sharedModel.setSource(text);
    const wrapper = new CodeEditorWrapper({
      factory: editorServices.factoryService.newDocumentEditor,
      model,
      editorOptions: { config: { readOnly: true, lineNumbers: true } }
    });
    wrapper.addClass('openi-ReadOnlyEditor-widget');
    Widget.attach(wrapper, host.current);
    return () => {
      wrapper.dispose();
      model.dispose();
    };
  }, [editorServices, path, text]);

  if (!editorServices) {
    return <pre className="openi-Pre">{text}</pre>;
  }
  return (
    <div
      ref={host}
      className="openi-ReadOnlyEditor"
      data-testid="openi-readonly-editor"
    />
  );
}
