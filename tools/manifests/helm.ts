import * as fs from "fs";
import * as path from "path";

/** The pinned helm (`<root>/.tools/bin/helm`, built by `tools/install.sh helm`), else the first on PATH; undefined when neither exists. */
export function findHelm(root: string): string | undefined {
    for (const dir of [path.join(root, ".tools", "bin"), ...(process.env.PATH ?? "").split(path.delimiter)]) {
        const file = path.join(dir, "helm");
        if (dir && fs.existsSync(file)) return file;
    }
    return undefined;
}
