/** TTF files are bundled as Data modules (wrangler.toml [[rules]]): the default export is the file's bytes. */
declare module '*.ttf' {
  const data: ArrayBuffer;
  export default data;
}
