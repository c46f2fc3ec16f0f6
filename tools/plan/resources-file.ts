import { RegisteredResource } from "./run-program";
import { redactSecrets } from "./secrets";

/** One entry of resources.json: what the program declared, with secrets redacted. */
export interface ResourceRecord {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    provider: string | null;
    custom: boolean;
    inputs: unknown;
    options: RegisteredResource["options"];
}

/** The resources.json document: every resource with type, name, parent and inputs, secrets as "[secret]". */
export function toResourceRecords(resources: RegisteredResource[]): ResourceRecord[] {
    return resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent ?? null,
        provider: r.provider ?? null,
        custom: r.custom,
        inputs: redactSecrets(r.properties),
        options: r.options,
    }));
}
