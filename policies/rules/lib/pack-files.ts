/**
 * Files the pack ships (data/, PulumiPolicy.yaml), found from wherever the pack runs: its TypeScript
 * sources in the repository, or its compiled JavaScript under bin/ in a published copy.
 */
import * as fs from "fs";
import * as path from "path";

let root: string | undefined;

/** The pack's folder: the nearest folder above this module that holds PulumiPolicy.yaml. */
export function packRoot(): string {
    if (root === undefined) {
        let dir = __dirname;
        while (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) {
            const parent = path.dirname(dir);
            if (parent === dir) throw new Error(`policy pack: no PulumiPolicy.yaml above ${__dirname}`);
            dir = parent;
        }
        root = dir;
    }
    return root;
}

/** A file of the pack, by its path inside the pack (`data/addons.catalogue.yaml`). */
export function packFile(...segments: string[]): string {
    return path.join(packRoot(), ...segments);
}
