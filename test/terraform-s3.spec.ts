/** The s3 source against a real S3-compatible server (MinIO built from its pinned Go module). */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { expectSourceError } from "./support/terraform-errors";
import { readTerraformOutputs } from "../lib/terraform/readTerraformOutputs";
import type { S3Source } from "../lib/terraform/source";
import { type MinioServer, startMinio } from "./support/terraform-minio";

const localState = fs.readFileSync(path.join(__dirname, "..", "stacks", "local", "terraform", "terraform.tfstate"), "utf8");
const basicState = fs.readFileSync(path.join(__dirname, "..", "..", "shared", "reference", "terraform-state", "tf-basic.tfstate"), "utf8");
const fast = { retries: 2, retryBaseDelayMs: 5, retryMaxDelayMs: 20, timeoutMs: 5000 };
/** Environment variables the AWS default credential chain reads; replaced during these tests. */
const AWS_ENV = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED", "AWS_REGION"];

describe("Terraform outputs: s3 backend (MinIO)", function () {
    this.timeout(60_000);
    let minio: MinioServer;
    let source: (extra?: Partial<S3Source>) => S3Source;
    const saved: Record<string, string | undefined> = {};

    before(async () => {
        for (const key of AWS_ENV) saved[key] = process.env[key];
        minio = await startMinio();
        // The default credential chain picks these up; no shared config or instance metadata is consulted.
        process.env.AWS_ACCESS_KEY_ID = minio.accessKey;
        process.env.AWS_SECRET_ACCESS_KEY = minio.secretKey;
        process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
        process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
        process.env.AWS_EC2_METADATA_DISABLED = "true";
        delete process.env.AWS_PROFILE;
        delete process.env.AWS_SESSION_TOKEN;
        const admin = new S3Client({
            region: "eu-west-1",
            endpoint: minio.endpoint,
            forcePathStyle: true,
            credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
        });
        await admin.send(new CreateBucketCommand({ Bucket: "tf-state" }));
        const put = (Key: string, Body: string) => admin.send(new PutObjectCommand({ Bucket: "tf-state", Key, Body }));
        await put("platform/terraform.tfstate", localState);
        await put("env:/staging/platform/terraform.tfstate", basicState);
        await put("workspaces/prod/platform/terraform.tfstate", basicState.replace('"bar"', '"prod-bar"'));
        await put("platform/truncated.tfstate", localState.slice(0, 500));
        admin.destroy();
        source = (extra = {}) => ({
            backend: "s3",
            bucket: "tf-state",
            key: "platform/terraform.tfstate",
            region: "eu-west-1",
            endpoint: minio.endpoint,
            forcePathStyle: true,
            ...extra,
        });
    });

    after(async () => {
        for (const key of AWS_ENV) {
            if (saved[key] === undefined) delete process.env[key];
            else process.env[key] = saved[key];
        }
        await minio?.stop();
    });

    it("reads the default workspace's state at the key", async () => {
        const outputs = await readTerraformOutputs(source(), fast);
        assert.equal(outputs.cluster_name.value, "gitops-local");
        assert.equal(outputs.grafana_admin_password.sensitive, true);
    });

    it("reads another workspace under the default workspace_key_prefix env:", async () => {
        const outputs = await readTerraformOutputs(source({ workspace: "staging" }), fast);
        assert.deepEqual(outputs, { foo: { value: "bar", sensitive: false, type: "string" } });
    });

    it("reads a workspace under a custom workspace_key_prefix", async () => {
        const outputs = await readTerraformOutputs(source({ workspace: "prod", workspaceKeyPrefix: "workspaces" }), fast);
        assert.equal(outputs.foo.value, "prod-bar");
    });

    it("fails at once on a missing key, naming the object and the workspace", async () => {
        await expectSourceError(
            readTerraformOutputs(source({ workspace: "qa" }), fast),
            "not-found",
            /404 Not Found/,
            /s3:\/\/tf-state\/env:\/qa\/platform\/terraform\.tfstate/,
            /workspace "qa"/,
        );
    });

    it("fails at once on a missing bucket", async () => {
        await expectSourceError(readTerraformOutputs(source({ bucket: "no-such-bucket" }), fast), "not-found", /bucket no-such-bucket does not exist/);
    });

    it("reports a truncated state object", async () => {
        await expectSourceError(readTerraformOutputs(source({ key: "platform/truncated.tfstate" }), fast), "format", /truncated/, /s3 backend s3:\/\/tf-state\/platform\/truncated\.tfstate/);
    });

    it("fails at once on rejected credentials without showing the secret key", async () => {
        const canary = "canary-aws-secret-5e8d1b";
        process.env.AWS_SECRET_ACCESS_KEY = canary;
        try {
            const err = await expectSourceError(readTerraformOutputs(source(), fast), "forbidden", /403 Forbidden/);
            assert.ok(!err.message.includes(canary) && !(err.stack ?? "").includes(canary));
        } finally {
            process.env.AWS_SECRET_ACCESS_KEY = minio.secretKey;
        }
    });

    it("reports missing credentials as bad input", async () => {
        delete process.env.AWS_ACCESS_KEY_ID;
        delete process.env.AWS_SECRET_ACCESS_KEY;
        try {
            await expectSourceError(readTerraformOutputs(source(), fast), "bad-input", /no AWS credentials/);
        } finally {
            process.env.AWS_ACCESS_KEY_ID = minio.accessKey;
            process.env.AWS_SECRET_ACCESS_KEY = minio.secretKey;
        }
    });

    it("retries an unreachable endpoint up to the bound", async () => {
        await expectSourceError(readTerraformOutputs(source({ endpoint: "http://127.0.0.1:9" }), fast), "unavailable", /gave up after 3 attempts/);
    });
});
