// Builds the policy pack and serves it over gRPC (the Pulumi CLI reads the port from stdout). Rules live in ./rules.
import { PolicyPack } from "@pulumi/policy";
import { policies, policyPackName } from "./rules";
import { deserializeOncePerRequest } from "./sdk/deserialize-once";

// One conversion of each resource for all the rules (sdk/deserialize-once.ts). The bench sets
// POLICY_PACK_SDK_CONVERSION=per-policy to measure the SDK as shipped beside it.
if (process.env.POLICY_PACK_SDK_CONVERSION !== "per-policy") deserializeOncePerRequest();

// Mandatory unless policies/config/<stack>.json lowers it: a pack run without config fails closed.
new PolicyPack(policyPackName, { enforcementLevel: "mandatory", policies });
