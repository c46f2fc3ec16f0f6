/** What tools/install.sh installed: each binary lives in `<cache>/<tool>-<version>/`, linked from .tools/bin. */
import * as fs from "fs";
import * as path from "path";

/** The version of an installed binary, from its cache folder (`unknown` when it is not from the cache). */
export function installedVersion(projectRoot: string, binary: string, tool = binary): string {
    const link = path.join(projectRoot, ".tools", "bin", binary);
    if (!fs.existsSync(link)) return "not installed";
    const folder = path.basename(path.dirname(fs.realpathSync(link)));
    return folder.startsWith(`${tool}-`) ? folder.slice(tool.length + 1) : "unknown";
}
