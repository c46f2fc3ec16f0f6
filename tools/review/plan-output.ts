/**
 * Reads what `npm run plan` wrote for one stack (`<out>/<stack>/`): resources.json, manifests/,
 * policy-report.json and, when the review asked for them, secret-fingerprints.json. The review
 * depends on this on-disk format only, not on the plan's code.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Finding } from "./model";
import { Fingerprints } from "./object-diff";
import { Manifest } from "../manifests/types";
import type { ResourceRecord } from "../plan/resources-file";

/** A Kubernetes object from manifests/. */
export type { Manifest } from "../manifests/types";

/** One entry of resources.json as the plan writes it, read back as plain JSON. */
export type PlannedResource = Omit<ResourceRecord, "inputs" | "options"> & { inputs: Record<string, unknown>; options: Record<string, unknown> };

/** Everything one plan of one stack produced. */
export interface PlanOutput {
    resources: PlannedResource[];
    manifests: Manifest[];
    findings: Finding[];
    /** Per URN; absent when the plan predates fingerprints. */
    fingerprints?: Record<string, Fingerprints>;
}

function readJson(file: string): unknown {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${file}: cannot read the plan's output: ${(e as Error).message}`);
    }
}

/** Reads `<dir>` (a plan's `<out>/<stack>`). */
export function readPlanOutput(dir: string): PlanOutput {
    const resources = readJson(path.join(dir, "resources.json")) as PlannedResource[];
    const manifestsDir = path.join(dir, "manifests");
    const manifests = fs
        .readdirSync(manifestsDir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => YAML.parse(fs.readFileSync(path.join(manifestsDir, f), "utf8")) as Manifest);
    const report = readJson(path.join(dir, "policy-report.json")) as { violations?: Finding[] };
    const fingerprintFile = path.join(dir, "secret-fingerprints.json");
    const fingerprints = fs.existsSync(fingerprintFile) ? (readJson(fingerprintFile) as Record<string, Fingerprints>) : undefined;
    return { resources, manifests, findings: report.violations ?? [], fingerprints };
}
