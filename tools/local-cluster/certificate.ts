/**
 * The loop's servers on 127.0.0.1 speak TLS with a certificate made here (openssl), for IP 127.0.0.1
 * and localhost, named after the server; a client trusts that one file, as it would a cluster's CA.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** A self-signed RSA certificate for `name` at 127.0.0.1; the key stays 0600 in `dir` (0700). */
export function selfSignedCertificate(dir: string, name: string): { certificateFile: string; keyFile: string } {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const certificateFile = path.join(dir, "tls.crt");
    const keyFile = path.join(dir, "tls.key");
    execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", `/O=gitops-platform local loop/CN=${name}`, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyFile, "-out", certificateFile],
        { stdio: "ignore" },
    );
    fs.chmodSync(keyFile, 0o600);
    return { certificateFile, keyFile };
}
