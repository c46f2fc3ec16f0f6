/**
 * report.html: the whole review in one self-contained page (no external script, style or font),
 * every changed object with its changed properties and its YAML diff, filtered by stack and kind.
 */
import { ObjectChange, Review, StackReview } from "./model";

function esc(text: unknown): string {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function value(v: unknown): string {
    return v === undefined ? "" : esc(typeof v === "string" ? v : JSON.stringify(v));
}

function diffHtml(diff: string): string {
    return diff
        .split("\n")
        .map((line) => {
            const cls = line.startsWith("+++") || line.startsWith("---") ? "h" : line.startsWith("@@") ? "at" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : "";
            return `<span class="${cls}">${esc(line) || " "}</span>`;
        })
        .join("");
}

const SECTION_TITLES: Record<string, string> = {
    pulumi: "Pulumi resource",
    argocd: "Argo CD object",
    generated: "Generated Application",
    rendered: "Rendered object",
};

function objectHtml(stack: string, c: ObjectChange): string {
    const props = c.properties
        .map((p) => `<tr><td><code>${esc(p.path)}</code></td><td>${esc(p.change)}</td><td>${p.secret ? "[secret]" : value(p.before)}</td><td>${p.secret ? "[secret] (changed)" : value(p.after)}</td></tr>`)
        .join("");
    return `<article class="object ${esc(c.change)}" data-stack="${esc(stack)}" data-kind="${esc(c.kind)}">
<h3><span class="badge ${esc(c.change)}">${esc(c.change)}</span> ${esc(c.kind)} <code>${esc(c.name)}</code> <small>${esc(SECTION_TITLES[c.section])}</small></h3>
${c.replaceReason ? `<p class="reason">replace: ${esc(c.replaceReason)}</p>` : ""}${c.origin ? `<p class="origin">${esc(c.origin)}</p>` : ""}
${props ? `<table class="props"><thead><tr><th>path</th><th>change</th><th>base</th><th>head</th></tr></thead><tbody>${props}</tbody></table>` : ""}
${c.diff ? `<details class="diff"${c.change === "changed" || c.change === "replaced" ? " open" : ""}><summary>YAML diff</summary><pre class="diff">${diffHtml(c.diff)}</pre></details>` : ""}
</article>`;
}

function stackHtml(s: StackReview): string {
    const findings = (title: string, list: StackReview["findings"]["new"]) =>
        list.length === 0 ? "" : `<h4>${title}</h4><ul>${list.map((f) => `<li><b>${esc(f.enforcementLevel)}</b> ${esc(f.policyName)}: ${esc(f.message)}${f.renderedBy ? ` <b>${esc(`Application ${f.renderedBy.application}@${f.renderedBy.cluster}`)}</b>` : ""}${f.urn ? ` <code>${esc(f.urn)}</code>` : ""}</li>`).join("")}</ul>`;
    const levels = Object.entries(s.findings.byLevel)
        .map(([l, n]) => `<tr><td>${esc(l)}</td><td>${n.new}</td><td>${n.fixed}</td><td>${n.unchanged}</td></tr>`)
        .join("");
    const notShown = (title: string, list: StackReview["notRendered"]) => (list.length === 0 ? "" : `<h4>${title}</h4><ul>${list.map((n) => `<li>${esc(n.what)} (${esc(n.side)}): ${esc(n.reason)}</li>`).join("")}</ul>`);
    const plan = (name: string, o: StackReview["base"]) => (o.planned ? `${name} planned (exit ${o.exitCode})` : `<b>${name} did not plan</b>: ${esc(o.error)}`);
    return `<section class="stack" data-stack="${esc(s.stack)}">
<h2>${esc(s.stack)} <small>${s.changes.length + s.stackSecrets.length} changes</small></h2>
<p>${plan("base", s.base)}; ${plan("head", s.head)}</p>
${s.changes.length === 0 && s.stackSecrets.length === 0 ? `<p class="none">No changes.</p>` : ""}
${s.changes.map((c) => objectHtml(s.stack, c)).join("\n")}
${s.stackSecrets.length ? `<h4>Stack file secrets (values never shown)</h4><ul>${s.stackSecrets.map((x) => `<li><code>${esc(x.key)}</code>: ${esc(x.change)}</li>`).join("")}</ul>` : ""}
<div class="findings" data-stack="${esc(s.stack)}"><h3>Policy findings</h3>
${levels ? `<table><thead><tr><th>level</th><th>new</th><th>fixed</th><th>unchanged</th></tr></thead><tbody>${levels}</tbody></table>` : "<p>None in base or head.</p>"}
${findings("New", s.findings.new)}${findings("Fixed", s.findings.fixed)}${findings("Unchanged", s.findings.unchanged)}</div>
${notShown("Not rendered", s.notRendered)}${notShown("Not expanded", s.notExpanded)}
</section>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:16px;color:#1f2328}
#verdict{font-size:20px;border-left:6px solid #1a7f37;padding:8px 12px;background:#f6f8fa}
#verdict.blocked{border-color:#cf222e}#verdict.incomplete{border-color:#9a6700}
#verdict .status{font-size:13px;text-transform:uppercase;color:#fff;background:#1a7f37;border-radius:4px;padding:2px 8px;margin-right:8px;vertical-align:middle}
#verdict.blocked .status{background:#cf222e}#verdict.incomplete .status{background:#9a6700}
.filters{position:sticky;top:0;background:#fff;padding:8px 0;border-bottom:1px solid #d0d7de;z-index:1}
select{font-size:14px;margin-right:12px}
article.object{border:1px solid #d0d7de;border-radius:6px;margin:12px 0;padding:4px 12px}
article.object h3{font-size:15px;margin:8px 0}
.badge{border-radius:10px;padding:1px 8px;font-size:12px;color:#fff;background:#57606a}
.badge.added{background:#1a7f37}.badge.removed{background:#cf222e}.badge.changed{background:#9a6700}.badge.replaced{background:#8250df}
.reason{color:#8250df;font-weight:600}.origin{color:#57606a}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #d0d7de;padding:2px 6px;text-align:left;vertical-align:top;max-width:420px;overflow-wrap:anywhere}
pre.diff{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px}
pre.diff span{display:block;white-space:pre}pre.diff .add{background:#dafbe1}pre.diff .del{background:#ffebe9}pre.diff .at{color:#0969da}pre.diff .h{color:#57606a}
.hidden{display:none}`;

const SCRIPT = `(function(){
var s=document.getElementById('stack-filter'),k=document.getElementById('kind-filter'),n=document.getElementById('shown-count');
function apply(){var shown=0;document.querySelectorAll('section.stack').forEach(function(sec){sec.classList.toggle('hidden',s.value!==''&&sec.dataset.stack!==s.value)});
document.querySelectorAll('article.object').forEach(function(a){var on=(s.value===''||a.dataset.stack===s.value)&&(k.value===''||a.dataset.kind===k.value);a.classList.toggle('hidden',!on);if(on)shown++});
n.textContent=shown+(shown===1?' object shown':' objects shown')}
s.addEventListener('change',apply);k.addEventListener('change',apply);apply()})();`;

/** The verdict without its leading emoji: a headless or minimal system may have no emoji font. */
export function verdictText(verdict: string): string {
    return verdict.replace(/^[^\p{L}\p{N}]+/u, "");
}

export function reportHtml(review: Review): string {
    const state = review.exitCode === 2 ? "incomplete" : review.exitCode === 1 ? "blocked" : "ok";
    const kinds = [...new Set(review.stacks.flatMap((s) => s.changes.map((c) => c.kind)))].sort();
    const option = (v: string) => `<option value="${esc(v)}">${esc(v)}</option>`;
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review: ${esc(review.base.ref)} → ${esc(review.head.description)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1 id="verdict" class="${state}"><span class="status">${state}</span><span class="verdict-text">${esc(verdictText(review.verdict))}</span></h1>
<p>Base <code>${esc(review.base.ref)}</code>${review.base.commit ? ` (${esc(review.base.commit.slice(0, 12))})` : ""} → ${esc(review.head.description)}${review.head.commit ? ` (HEAD ${esc(review.head.commit.slice(0, 12))})` : ""}; reviewed in ${review.seconds} s.</p>
${review.errors.length ? `<div id="errors"><h3>Bad input</h3><ul>${review.errors.map((e) => `<li><pre>${esc(e)}</pre></li>`).join("")}</ul></div>` : ""}
${review.notes.map((n) => `<p class="note"><small>${esc(n)}</small></p>`).join("")}
<div class="filters"><label>Stack <select id="stack-filter"><option value="">all stacks</option>${review.stacks.map((s) => option(s.stack)).join("")}</select></label>
<label>Kind <select id="kind-filter"><option value="">all kinds</option>${kinds.map(option).join("")}</select></label> <span id="shown-count"></span></div>
${review.stacks.map(stackHtml).join("\n")}
<script>${SCRIPT}</script>
</body></html>
`;
}
