/**
 * The plan's redactor (tools/plan/redaction.ts): every credential inside a Pulumi secret is scrubbed from what
 * the plan writes, and nothing public is: a reviewer must see every change that is not a secret.
 */
import * as assert from "assert";
import { addPulumiSecrets, Redactor } from "../tools/plan/redaction";
import { SECRET_SIG, SIG_KEY } from "../tools/plan/secrets";

const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

describe("the plan's redactor", () => {
    it("scrubs the credentials inside a secret and leaves its public parts (URLs, registries, ARNs) readable", async () => {
        const password = "q7X3canaryZ9pw0rd55k2";
        const registry = "000000000000.dkr.ecr.eu-west-1.amazonaws.com/charts";
        const url = "https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.eu-west-1.eks.amazonaws.com";
        const arn = "arn:aws:iam::000000000000:role/gitops-dev-argocd-ecr";
        const redactor = new Redactor();
        await addPulumiSecrets(redactor, { stringData: secret({ url: registry, server: url, roleArn: arn, password }) });
        const text = `repoURL: oci://${registry}\nserver: ${url}\nrole: ${arn}\npassword: ${password}\n`;
        assert.strictEqual(redactor.scrub(text), `repoURL: oci://${registry}\nserver: ${url}\nrole: ${arn}\npassword: [secret]\n`);
    });

    it("still scrubs a URL that carries a credential, and generated tokens", async () => {
        const withUser = "https://bot:q7X3canaryZ9pw0rd55k2@git.example.com/x.git";
        const token = "dGhpcy1pcy1hLWNhbmFyeS10b2tlbi0xMjM0NQ==";
        const redactor = new Redactor();
        await addPulumiSecrets(redactor, { data: secret({ url: withUser, token }) });
        assert.doesNotMatch(redactor.scrub(`${withUser} ${token}`), /q7X3canary|dGhpcy1p/);
    });
});
