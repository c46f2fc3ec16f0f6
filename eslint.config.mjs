// Lint the TypeScript sources with typescript-eslint's recommended rules.
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "**/node_modules/", "out/", "bin/", "policies/bin/", ".tools/", "charts/"] },
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
);
