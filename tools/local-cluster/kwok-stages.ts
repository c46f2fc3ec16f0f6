/**
 * The stages KWOK plays pods and nodes by: the ones installed with it (tools/install.sh copies
 * kwok's own stages.yaml beside the binary), with one change, so a release can be made to fail on
 * purpose: a pod with a container whose image contains NEVER_READY_IMAGE_MARK is never made Ready.
 * Its Deployment then never becomes Available, as with an image that does not start.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** Put this text in a container image (e.g. `example/app:1.0-never-ready`) and KWOK never readies its pod. */
export const NEVER_READY_IMAGE_MARK = "never-ready";

/** The stages file installed beside the kwok binary. */
export function installedStagesFile(binDir: string): string {
    return path.join(path.dirname(fs.realpathSync(path.join(binDir, "kwok"))), "stages.yaml");
}

/**
 * The `pod-ready` stage's extra selector term. Keys are gojq queries; a bool is matched as
 * "true"/"false", and NotIn over several results (one per container) holds only if none is "true".
 */
export const NEVER_READY_EXPRESSION = {
    key: `.spec.containers.[].image | contains(${JSON.stringify(NEVER_READY_IMAGE_MARK)})`,
    operator: "NotIn",
    values: ["true"],
};

/** The installed stages with the never-ready term added to `pod-ready`, as YAML text. */
export function loopStages(installed: string): string {
    const text = fs.readFileSync(installed, "utf8");
    const docs = YAML.parseAllDocuments(text);
    const errors = docs.flatMap((d) => ("errors" in d ? d.errors : []));
    if (errors.length > 0) throw new Error(`${installed}: not YAML: ${errors[0].message}`);
    const podReady = docs.find((d) => d.get("kind") === "Stage" && d.getIn(["metadata", "name"]) === "pod-ready");
    const terms = podReady?.getIn(["spec", "selector", "matchExpressions"]);
    if (!podReady || !YAML.isSeq(terms)) throw new Error(`${installed}: no Stage pod-ready with spec.selector.matchExpressions, so pods could not be kept from Ready (is it kwok's stages.yaml?)`);
    terms.add(podReady.createNode(NEVER_READY_EXPRESSION));
    // Documents as parsed: each keeps its `---`, the templates stay block scalars.
    return docs.map((d) => d.toString({ lineWidth: 0 })).join("");
}

/** Writes the loop's stages into `file` (a cluster's data directory) and returns its path. */
export function writeLoopStages(binDir: string, file: string): string {
    fs.writeFileSync(file, loopStages(installedStagesFile(binDir)));
    return file;
}
