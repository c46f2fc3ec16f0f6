/**
 * tools/toolchain.json, typed and checked: the pinned toolchain tools/install.sh builds (the file's
 * `$comment` says what each field means; install.sh reads the same file with node). The schema is
 * strict: install.sh skips a field it does not know, so a misspelt check would pass silently there.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";

export const TOOLCHAIN_FILE = path.join(__dirname, "toolchain.json");

/** install.sh reads lists as space-separated words. */
const word = z.string().regex(/^\S+$/, "one word");
const note = z.string().optional();
const renovateSource = z.strictObject({ datasource: z.string(), depName: z.string() });
const oneSource = (p: { renovate?: unknown; unmanaged?: unknown }) => (p.renovate === undefined) !== (p.unmanaged === undefined);
const ONE_SOURCE = { message: "needs exactly one of renovate (where updates come from) and unmanaged (why there are none)" };

/** A version Renovate proposes updates of, or says why it leaves alone. */
const pinFields = {
    note,
    version: word,
    renovate: renovateSource.optional(),
    unmanaged: z.string().optional(),
};

/** The fields that compare a version command's output; exactly one of them, or one of the file checks. */
const OUTPUT_MATCHES = ["output", "outputStartsWith", "firstLine", "line", "contains"] as const;
const FILE_MATCHES = ["embeds", "goBuildInfo"] as const;
const versionCheck = z
    .strictObject({
        note,
        run: z.array(word).min(1).optional(),
        tempHome: z.string().optional(),
        output: z.string().optional(),
        outputStartsWith: z.string().optional(),
        firstLine: z.string().optional(),
        line: z.string().optional(),
        contains: z.string().optional(),
        embeds: z.string().optional(),
        goBuildInfo: z.literal(true).optional(),
        servesPort: z.literal(true).optional(),
        files: z.array(word).optional(),
    })
    .refine((c) => [...OUTPUT_MATCHES, ...FILE_MATCHES].filter((k) => c[k] !== undefined).length === 1, {
        message: `needs exactly one of ${[...OUTPUT_MATCHES, ...FILE_MATCHES].join(", ")}`,
    })
    .refine((c) => (c.run !== undefined) === OUTPUT_MATCHES.some((k) => c[k] !== undefined), {
        message: `run goes with (and only with) ${OUTPUT_MATCHES.join(", ")}`,
    })
    .refine((c) => c.tempHome === undefined || c.run !== undefined, { message: "tempHome needs run" });

const url = z.string().regex(/^https:\/\/\S+$/, "an https URL");
const download = z.strictObject({ note, url, sums: url.optional(), file: word });

const tool = z
    .strictObject({
        ...pinFields,
        module: z.string(),
        modVersion: word.optional(),
        go: z.strictObject(pinFields).refine(oneSource, ONE_SOURCE).optional(),
        env: z.strictObject({ version: z.string().optional(), modVersion: z.string().optional() }).optional(),
        providers: z.array(word).min(1).optional(),
        bins: z.array(word).min(1),
        check: versionCheck,
        download: download.optional(),
    })
    .refine(oneSource, ONE_SOURCE);

const crd = z.strictObject({ ...pinFields, module: z.string() }).refine(oneSource, ONE_SOURCE);

const toolchainSchema = z.strictObject({
    $comment: z.array(z.string()),
    tools: z.record(word, tool),
    crds: z.record(word, crd),
});

export type Toolchain = z.infer<typeof toolchainSchema>;
export type Tool = Toolchain["tools"][string];

/** One pinned version in the file: a tool's, a tool's Go toolchain (`<tool>.go`) or a CRD release's. */
export interface Pin {
    name: string;
    version: string;
    module?: string;
    renovate?: z.infer<typeof renovateSource>;
    unmanaged?: string;
}

/** Reads and checks the file; an error names the file and every key at fault. */
export function readToolchain(file = TOOLCHAIN_FILE): Toolchain {
    const result = toolchainSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
    if (!result.success) {
        throw new Error(`${file}: ${result.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`);
    }
    return result.data;
}

/** Every pinned version in the file, as Renovate's manager for it must see them (renovate.json). */
export function pins(toolchain: Toolchain): Pin[] {
    const pin = (name: string, p: Omit<Pin, "name">): Pin => ({ name, version: p.version, module: p.module, renovate: p.renovate, unmanaged: p.unmanaged });
    return [
        ...Object.entries(toolchain.tools).flatMap(([name, t]) => [pin(name, t), ...(t.go ? [pin(`${name}.go`, t.go)] : [])]),
        ...Object.entries(toolchain.crds).map(([name, c]) => pin(name, c)),
    ];
}

/** The tool that puts `binary` into .tools/bin, if any. */
export function toolOfBinary(toolchain: Toolchain, binary: string): string | undefined {
    return Object.entries(toolchain.tools).find(([, t]) => t.bins.includes(binary))?.[0];
}
