// Builds the policy pack and serves it over gRPC (the Pulumi CLI reads the port from stdout). Rules live in ./rules.
import { PolicyPack } from "@pulumi/policy";
import { policies, policyPackName } from "./rules";

// Mandatory unless policies/config/<stack>.json lowers it: a pack run without config fails closed.
new PolicyPack(policyPackName, { enforcementLevel: "mandatory", policies });
