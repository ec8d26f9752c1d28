// `npm run lint`: typescript-eslint's recommended rules over src/, with the
// type information of tsconfig.json (CI runs it in the docs job).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'docs/**', 'build/**', 'build-sanitize/**', 'node_modules/**', 'prebuilds/**', 'src/constants.generated.ts'] },
  {
    files: ['src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A leading underscore marks a parameter a signature needs but the body does not.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Methods installed on Socket.prototype name their socket for the callbacks inside.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['sock'] }],
    },
  },
);
