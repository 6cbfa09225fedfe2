// Lint: TypeScript and Svelte sources, with the layer table of shared/DESIGN.md enforced by
// eslint-rules/layers.js (a forbidden import fails `npm run lint`).
import tseslint from 'typescript-eslint';
import svelteParser from 'svelte-eslint-parser';
import { layerRule } from './eslint-rules/layers.js';

const layers = { plugins: { aptp: { rules: { layers: layerRule } } }, rules: { 'aptp/layers': 'error' } };

export default [
  { ignores: ['out/**', 'node_modules/**', 'artifacts/**', 'tests/oracle/.venv/**', '**/*.d.ts'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-debugger': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.svelte'],
    languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser } },
  },
  { files: ['src/**/*.ts', 'src/**/*.svelte'], ...layers },
];
