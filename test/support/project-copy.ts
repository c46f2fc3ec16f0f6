import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "./program";

/** Top-level entries a copy of the project never needs (generated, or shared through a link). */
const SKIPPED = new Set([".git", "node_modules", "out", ".tools", "bin"]);

/**
 * Copies the project into a temporary directory, sharing node_modules and .tools through links,
 * so a test can change a stack file or run a command that writes without touching the work tree.
 */
export function copyProject(prefix = "gitops-platform-"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    for (const entry of fs.readdirSync(PROJECT_ROOT)) {
        if (SKIPPED.has(entry)) continue;
        fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
    }
    for (const shared of ["node_modules", ".tools"]) {
        if (fs.existsSync(path.join(PROJECT_ROOT, shared))) {
            fs.symlinkSync(path.join(PROJECT_ROOT, shared), path.join(dir, shared));
        }
    }
    return dir;
}
