// Checks KHQR strings with the official KHQR SDK (npm `bakong-khqr`, National Bank of Cambodia).
// Reads a JSON array of strings on stdin; writes a JSON array with, for each string, what the SDK says:
// `valid` (BakongKHQR.verify: the CRC and its field validation), `decoded` (BakongKHQR.decode) and `md5`
// (the SDK's own md5 of the string, the key of Bakong's check_transaction_by_md5).
// `decode` runs only on strings `verify` accepts: on a template cut short (a damaged length) the SDK's
// decode loops forever, while `verify` checks the CRC first and stops there.
// Used by tests/e2e/test_khqr_with_official_sdk.py.
"use strict";

const path = require("path");
const { BakongKHQR } = require("bakong-khqr");
const { KHQRData } = require(path.join(path.dirname(require.resolve("bakong-khqr")), "model", "response"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
    const results = JSON.parse(input).map((qr) => {
        const valid = BakongKHQR.verify(qr).isValid;
        const decoded = valid ? BakongKHQR.decode(qr) : null;
        return {
            valid: valid,
            decoded: decoded && decoded.status.code === 0 ? decoded.data : null,
            error: decoded && decoded.status.message,
            md5: new KHQRData(qr).md5,
        };
    });
    process.stdout.write(JSON.stringify(results));
});
