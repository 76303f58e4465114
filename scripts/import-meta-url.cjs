// esbuild inject for the CommonJS bundle: what import.meta.url means in ESM source.
export const __tcup_import_meta_url = require('url').pathToFileURL(__filename).href;
