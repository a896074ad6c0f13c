// @ts-check
// JavaScript linted like Python (`make check`): the recommended rules on the project's own
// JavaScript; each file gets the globals of where it runs.
import js from '@eslint/js';
import globals from 'globals';

export default [
  {
    ignores: [
      'node_modules/', 'python_modules/', '.venv/', '.cache/', '**/.wrangler/', 'bench/results/',
      'dist/', 'examples/minimal/python_modules/',
      // links to runtime/library.mjs, which is linted itself
      'src/dynamic_workflows.mjs', 'examples/minimal/src/dynamic_workflows.mjs',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.serviceworker } },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  { files: ['bench/*.mjs', 'tools/**/*.js', 'eslint.config.mjs'], languageOptions: { globals: { ...globals.node } } },
  {
    files: ['src/dispatcher/console/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
    // A function of its own may share a name with a newer browser global (`when`).
    rules: { 'no-redeclare': ['error', { builtinGlobals: false }] },
  },
];
