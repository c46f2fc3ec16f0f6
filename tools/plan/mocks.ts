import * as pulumi from "@pulumi/pulumi";

/** Account and region the offline plan pretends AWS answers with: obviously not a real account. */
export const MOCK_ACCOUNT = "000000000000";
export const MOCK_REGION = "eu-west-1";

/**
 * Mock answers for the engine's provider calls. A resource's outputs are its inputs plus the
 * attributes a provider would compute (ids, ARNs, URLs); they are placeholders, never a cloud read.
 */
export class PlanMocks implements pulumi.runtime.Mocks {
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type.startsWith("aws:")) {
            const name = (args.inputs.name as string | undefined) ?? args.name;
            state.arn ??= mockArn(args.type, name);
            if (args.type === "aws:ecr/repository:Repository") {
                state.repositoryUrl ??= `${MOCK_ACCOUNT}.dkr.ecr.${MOCK_REGION}.amazonaws.com/${name}`;
                state.registryId ??= MOCK_ACCOUNT;
            }
            state.name ??= name;
        }
        return { id: args.custom === false ? undefined : `${args.name}-id`, state };
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/plan`, userId: "plan" };
            case "aws:index/getRegion:getRegion":
                return { name: MOCK_REGION, region: MOCK_REGION, id: MOCK_REGION };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com" };
            default:
                // Answering with made-up data would let the plan show something the cloud never says.
                throw new Error(`the offline plan has no answer for the provider call ${args.token}`);
        }
    }
}

/** An ARN in the format AWS uses for the resource type, in the mock account. */
function mockArn(type: string, name: string): string {
    switch (type) {
        case "aws:iam/role:Role":
            return `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}`;
        case "aws:iam/policy:Policy":
            return `arn:aws:iam::${MOCK_ACCOUNT}:policy/${name}`;
        case "aws:ecr/repository:Repository":
            return `arn:aws:ecr:${MOCK_REGION}:${MOCK_ACCOUNT}:repository/${name}`;
        case "aws:secretsmanager/secret:Secret":
            return `arn:aws:secretsmanager:${MOCK_REGION}:${MOCK_ACCOUNT}:secret:${name}`;
        default: {
            const service = type.split(":")[1].split("/")[0];
            return `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT}:${name}`;
        }
    }
}
