// Generates KHQR strings with the official KHQR SDK (npm `bakong-khqr`), to compare with ours.
// Reads a JSON array of requests on stdin (the fields of portal/payments/khqr.py's Khqr, amounts already in
// the SDK's units: riel, or dollars as a number); writes a JSON array of {qr, md5} or {error}.
// Used by tests/e2e/test_khqr_with_official_sdk.py.
"use strict";

const { BakongKHQR, IndividualInfo, MerchantInfo } = require("bakong-khqr");

function generate(request) {
    const optional = {
        currency: request.currency,
        amount: request.amount,
        billNumber: request.billNumber,
        storeLabel: request.storeLabel,
        terminalLabel: request.terminalLabel,
        purposeOfTransaction: request.purpose,
        acquiringBank: request.merchantID ? undefined : request.acquiringBank,
        languagePreference: request.merchantNameKm ? "km" : undefined,
        merchantNameAlternateLanguage: request.merchantNameKm,
        merchantCityAlternateLanguage: request.merchantCityKm,
        expirationTimestamp: request.expiresMs,
        merchantCategoryCode: request.merchantCategoryCode,
    };
    const khqr = new BakongKHQR();
    const response = request.merchantID
        ? khqr.generateMerchant(new MerchantInfo(request.bakongAccountID, request.merchantName,
            request.merchantCity, request.merchantID, request.acquiringBank, optional))
        : khqr.generateIndividual(new IndividualInfo(request.bakongAccountID, request.merchantName,
            request.merchantCity, optional));
    return response.data ? response.data : { error: response.status.message };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => process.stdout.write(JSON.stringify(JSON.parse(input).map(generate))));
