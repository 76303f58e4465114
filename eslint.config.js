import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (paths, message) => ({ paths: paths.map((name) => ({ name, message })) });

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
  {
    // Each external library lives behind one module.
    files: ['src/**/*.ts'],
    ignores: ['src/docker/**'],
    rules: {
      'no-restricted-imports': ['error', restrict(['dockerode'], 'dockerode is used only in src/docker/**')],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/http.ts'],
    rules: { 'no-restricted-imports': ['error', restrict(['undici'], 'undici is used only in src/http.ts')] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/prompt.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        restrict(['@inquirer/password', '@inquirer/confirm'], 'prompts live only in src/prompt.ts'),
      ],
    },
  },
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
