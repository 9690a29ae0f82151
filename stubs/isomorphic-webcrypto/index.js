"use strict";
// Node >= 20 ships WebCrypto; fhirclient only needs getRandomValues/subtle.
module.exports = require("node:crypto").webcrypto;
