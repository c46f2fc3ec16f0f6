import { strict as assert } from "node:assert";
import { TerraformSourceError } from "../../lib/terraform/errors";

/** Awaits a read that must fail with a TerraformSourceError of `kind` whose message matches every pattern. */
export async function expectSourceError(promise: Promise<unknown>, kind: string, ...patterns: RegExp[]): Promise<TerraformSourceError> {
    try {
        await promise;
    } catch (err) {
        assert.ok(err instanceof TerraformSourceError, `expected a TerraformSourceError, got ${String(err)}`);
        assert.equal(err.kind, kind, err.message);
        for (const pattern of patterns) assert.match(err.message, pattern);
        return err;
    }
    assert.fail("expected the read to fail");
}
