/** What tools/install.sh installed: each binary lives in `<cache>/<tool>-<version>/`, linked from .tools/bin. */
import * as fs from "fs";
import * as path from "path";
import { readToolchain, toolOfBinary } from "../toolchain-pins";

/**
 * The version of an installed binary, from its cache folder (`unknown` when it is not from the cache).
 * `tool` defaults to the tool tools/toolchain.json says provides the binary (kubectl: kubernetes).
 */
export function installedVersion(projectRoot: string, binary: string, tool?: string): string {
    const link = path.join(projectRoot, ".tools", "bin", binary);
    if (!fs.existsSync(link)) return "not installed";
    const owner = tool ?? toolOfBinary(readToolchain(), binary) ?? binary;
    const folder = path.basename(path.dirname(fs.realpathSync(link)));
    return folder.startsWith(`${owner}-`) ? folder.slice(owner.length + 1) : "unknown";
}
