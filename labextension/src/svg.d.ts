// SVG files are bundled as raw strings (see @jupyter/builder), for LabIcon.
declare module '*.svg' {
  const value: string;
  export default value;
}
