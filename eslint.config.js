import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ------------------------------------------------------------------------------------- architecture
// The rooms of src/ and the rooms each may import from. An arrow missing here is a "never": the
// engine knows nothing of RefStack or the cloud, credentials come before the engine, guidelines and
// redaction are pure. test/unit/architecture.test.ts plants a violation of each rule and sees it fail.
const BELOW_PIPELINE = [
  'core',
  'redaction',
  'protocol',
  'guidelines',
  'results',
  'report',
  'cloud',
  'engine',
  'tempest',
  'refstack',
];
const ROOMS = {
  core: [],
  redaction: [],
  protocol: [],
  guidelines: ['core', 'results'],
  results: ['core'],
  report: ['results', 'guidelines'],
  cloud: ['core'],
  engine: ['core', 'protocol'],
  tempest: ['core', 'engine', 'protocol', 'results'],
  refstack: ['core', 'results'],
  // The pipeline may use every room below it; the commands also the pipeline.
  pipeline: BELOW_PIPELINE,
  commands: [...BELOW_PIPELINE, 'pipeline'],
};
// Each external library lives behind one room or one module.
const LIBRARIES = [
  { names: ['dockerode'], only: 'src/engine/docker.ts' },
  { names: ['tar-stream'], only: 'src/engine/**' },
  { names: ['undici'], only: 'src/core/http.ts' },
  { names: ['@inquirer/password', '@inquirer/confirm'], only: 'src/core/prompt.ts' },
  { names: ['ssh2'], only: 'src/refstack/signing.ts' },
  { names: ['yaml'], only: 'src/cloud/**' },
  { names: ['commander'], only: 'src/cli.ts' },
  { names: ['redact-secrets'], only: 'src/redaction/**' },
];
// Pure rooms: no file system, processes or network.
const PURE = ['guidelines', 'redaction', 'protocol', 'report'];
const IO_MODULES = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'dgram', 'tls'].flatMap(
  (m) => [m, `node:${m}`],
);

const inRoom = (file, room) => file.startsWith(`src/${room}/`);
const covers = (only, file) => (only.endsWith('/**') ? file.startsWith(only.slice(0, -2)) : only === file);

// Inside the pipeline room the steps are below the pipeline: they import its types (options.ts) and one
// another, never the modules that run them (pipeline.ts, clouds.ts, clouds-choice.ts).
const STEPS = 'src/pipeline/steps/';
const STEPS_PATTERNS = [
  '^\\.\\./(?!options\\.js$|steps/|\\.\\./)',
  '^\\.\\./\\.\\./pipeline/(?!options\\.js$|steps/)',
].map((regex) => ({
  regex,
  message: 'src/pipeline/steps/ must not import the pipeline (only ../options.js and other steps)',
}));

// The rules below read an import as written, not resolved: a path that goes down and back up
// (`../steps/../pipeline.js`, `./../pipeline.js`, `.././x.js`) would pass them all. Paths are written
// normalized, so each rule sees where an import goes.
const NORMALIZED = ['^\\./\\.\\.?/', '^(\\.\\./)+\\./', '^\\.\\.?/(.*/)?[^./][^/]*/\\.\\.?/'].map(
  (regex) => ({
    regex,
    message:
      'write the import path normalized (no ./.. or a folder followed by ..): the rooms rules read it as written',
  }),
);

// The commands run the pipeline (pipeline.ts, clouds.ts, options.ts); of its steps they use only these,
// each a part of a run that is also a command of its own. Any other step is the pipeline's alone.
const COMMANDS_STEPS = {
  upload: 'tcup upload is the upload of a saved run; tcup sign asks for the key passphrase as it does',
  'tempest-image': 'tcup image save builds the image a run builds',
  proxy: "tcup image and tcup demo build through the launcher's proxy as a run does",
};
const COMMANDS_PATTERNS = [
  {
    regex: `^\\.\\./pipeline/steps/(?!(${Object.keys(COMMANDS_STEPS).join('|')})\\.js$)`,
    message: `src/commands/ uses only these steps of the pipeline: ${Object.keys(COMMANDS_STEPS).join(', ')} (COMMANDS_STEPS in eslint.config.js)`,
  },
];
/** Rules of a room beyond its arrows. */
const EXTRA_PATTERNS = { commands: COMMANDS_PATTERNS };

/** no-restricted-imports options for one room (or the top level, room undefined) and, if given, one file. */
function restrictions(room, file, extraPatterns = []) {
  const paths = LIBRARIES.filter((lib) =>
    file
      ? !covers(lib.only, file)
      : !(room && lib.only.startsWith(`src/${room}/`) && lib.only.endsWith('/**')),
  ).flatMap((lib) => lib.names.map((name) => ({ name, message: `${name} is used only in ${lib.only}` })));
  if (room && PURE.includes(room))
    paths.push(...IO_MODULES.map((name) => ({ name, message: `src/${room}/ is pure: no I/O (${name})` })));
  const allowed = room ? [room, ...ROOMS[room]] : Object.keys(ROOMS);
  const patterns = Object.keys(ROOMS)
    .filter((other) => !allowed.includes(other))
    .map((other) => ({
      regex: `^\\.{1,2}/(\\.\\./)*${other}/`,
      message: `src/${room ?? '(top)'}/ must not import src/${other}/ (see ROOMS in eslint.config.js)`,
    }));
  return ['error', { paths, patterns: [...NORMALIZED, ...patterns, ...extraPatterns] }];
}

/** Files that a library is confined to, inside a room: they get the room's rules less that library. */
const EXCEPTION_FILES = LIBRARIES.map((lib) => lib.only).filter((only) => !only.endsWith('/**'));

const architecture = [
  ...Object.keys(ROOMS).flatMap((room) => {
    const own = EXCEPTION_FILES.filter((f) => inRoom(f, room));
    return [
      {
        files: [`src/${room}/**/*.ts`],
        ignores: own,
        rules: { 'no-restricted-imports': restrictions(room, undefined, EXTRA_PATTERNS[room]) },
      },
      ...own.map((f) => ({
        files: [f],
        rules: { 'no-restricted-imports': restrictions(room, f, EXTRA_PATTERNS[room]) },
      })),
    ];
  }),
  // After the pipeline room's entry, which it replaces for the steps (a library's file there would need its own).
  {
    files: [`${STEPS}**/*.ts`],
    rules: { 'no-restricted-imports': restrictions('pipeline', undefined, STEPS_PATTERNS) },
  },
  {
    files: ['src/*.ts'],
    ignores: ['src/cli.ts'],
    rules: { 'no-restricted-imports': restrictions(undefined) },
  },
  { files: ['src/cli.ts'], rules: { 'no-restricted-imports': restrictions(undefined, 'src/cli.ts') } },
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'container/',
      'scripts/',
      'eslint.config.js',
      'coverage/',
      '.tcup-tmp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...architecture,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'only src/cli.ts exits' },
      ],
    },
  },
);
