// Shishi: RSA blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Randomized) on the deputy's own device.
//
// The device prepares a message (32 random bytes || token), blinds it with a random r, and
// sends only the blinded value to the server; the server's signature of the blinded value is
// finalized here into a standard RSASSA-PSS signature (SHA-384, MGF1-SHA-384, 48-byte salt)
// of the prepared message. The server never sees the token nor the final signature before the
// ballot is cast, and cannot link the two. Python counterpart: shared/ballots/blind.py.
//
// Needs a secure context (HTTPS or localhost): WebCrypto does the hashing (SHA-384), the
// randomness (getRandomValues) and the final RSA-PSS verification; BigInt does the modular
// arithmetic of blinding and unblinding.
//
// API (window.ShishiBlind); every function is async. Bytes are Uint8Array in and out (an
// ArrayBuffer is accepted too; strings are refused, so text must go through TextEncoder).
// The public key is the JWK the server serves, {kty: "RSA", n, e, alg: "PS384", kid}, with n
// and e base64url; if it has a kid, it must be the hex SHA-256 of the key's DER SPKI.
//   prepare(msg, {randomized = true, prefix})             -> Uint8Array  prefix || msg (or msg)
//   blind(jwk, preparedMsg, {salt, r, inv, saltLength = 48}) -> {blindedMsg, inv}  (Uint8Array,
//                                                             modulus length each)
//   finalize(jwk, preparedMsg, blindSig, inv, {saltLength = 48}) -> Uint8Array sig; throws if
//                                                             the signature does not verify
//   verify(jwk, msg, sig, {saltLength = 48})               -> boolean
//   keyId(jwk)                                             -> hex SHA-256 of the DER SPKI
//   base64url.encode(bytes) -> string, base64url.decode(string) -> Uint8Array
// prefix, salt, r (or inv = r^-1 mod n) are for tests only (RFC test vectors); normally they are
// drawn here, r uniformly in [1, n) and coprime with n. The caller must also check that the kid
// is the key id published for the whole session: a key of its own for one deputy would let the
// signer recognize that deputy's ballot.
(function () {
  "use strict";

  var HASH_LEN = 48;
  var PREFIX_LEN = 32;
  var SALT_LEN = HASH_LEN;
  var MIN_KEY_BITS = 2048;
  var JWK_ALG = "PS384";

  // ------------------------------------------------------------ bytes, base64url, BigInt

  function asBytes(value, what) {
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    throw new TypeError(what + " must be a Uint8Array");
  }

  function concat() {
    var total = 0, i;
    for (i = 0; i < arguments.length; i++) total += arguments[i].length;
    var out = new Uint8Array(total), offset = 0;
    for (i = 0; i < arguments.length; i++) {
      out.set(arguments[i], offset);
      offset += arguments[i].length;
    }
    return out;
  }

  function base64urlEncode(bytes) {
    bytes = asBytes(bytes, "bytes");
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function base64urlDecode(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError("not base64url");
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(b64 + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  function bytesToBigInt(bytes) {
    var hex = "";
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return hex ? BigInt("0x" + hex) : 0n;
  }

  function bigIntToBytes(value, length) {
    var hex = value.toString(16);
    if (value < 0n || hex.length > 2 * length) throw new RangeError("integer too large for " + length + " bytes");
    hex = hex.padStart(2 * length, "0");
    var out = new Uint8Array(length);
    for (var i = 0; i < length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
    return out;
  }

  function bitLength(value) {
    return value === 0n ? 0 : value.toString(2).length;
  }

  function modPow(base, exponent, modulus) {
    var result = 1n;
    base %= modulus;
    while (exponent > 0n) {
      if (exponent & 1n) result = (result * base) % modulus;
      base = (base * base) % modulus;
      exponent >>= 1n;
    }
    return result % modulus;
  }

  function gcd(a, b) {
    while (b !== 0n) {
      var t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  // The inverse of a modulo n by the extended Euclidean algorithm; throws if gcd(a, n) != 1.
  function modInverse(a, n) {
    var oldR = ((a % n) + n) % n, r = n, oldS = 1n, s = 0n;
    while (r !== 0n) {
      var quotient = oldR / r, t = oldR - quotient * r;
      oldR = r;
      r = t;
      t = oldS - quotient * s;
      oldS = s;
      s = t;
    }
    if (oldR !== 1n) throw new RangeError("not invertible modulo n");
    return ((oldS % n) + n) % n;
  }

  function randomBytes(length) {
    var out = new Uint8Array(length);
    if (length) window.crypto.getRandomValues(out);
    return out;
  }

  // Uniformly random in [1, n) with gcd(r, n) = 1: rejection sampling on bitLength(n) random bits.
  function randomUnit(n) {
    var bits = bitLength(n), length = Math.ceil(bits / 8), topMask = 0xff >> (8 * length - bits);
    for (;;) {
      var bytes = randomBytes(length);
      bytes[0] &= topMask;
      var r = bytesToBigInt(bytes);
      if (r >= 1n && r < n && gcd(r, n) === 1n) return r;
    }
  }

  // ------------------------------------------------------------ SHA-384, MGF1, EMSA-PSS-ENCODE (RFC 8017 §9.1.1)

  function subtle() {
    if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) {
      throw new Error("ShishiBlind needs WebCrypto, which browsers give only to secure pages (HTTPS or localhost)");
    }
    return window.crypto.subtle;
  }

  async function sha384(data) {
    return new Uint8Array(await subtle().digest("SHA-384", data));
  }

  async function mgf1(seed, length) {
    var blocks = [];
    for (var counter = 0; counter * HASH_LEN < length; counter++) {
      var c = new Uint8Array([counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff]);
      blocks.push(await sha384(concat(seed, c)));
    }
    return concat.apply(null, blocks).slice(0, length);
  }

  async function emsaPssEncode(msg, emBits, salt) {
    var emLen = Math.ceil(emBits / 8);
    if (emLen < HASH_LEN + salt.length + 2) throw new RangeError("encoding error: modulus too short");
    var mHash = await sha384(msg);
    var h = await sha384(concat(new Uint8Array(8), mHash, salt));
    var db = concat(new Uint8Array(emLen - salt.length - HASH_LEN - 2), new Uint8Array([1]), salt);
    var mask = await mgf1(h, db.length);
    for (var i = 0; i < db.length; i++) db[i] ^= mask[i];
    db[0] &= 0xff >> (8 * emLen - emBits);
    return concat(db, h, new Uint8Array([0xbc]));
  }

  // ------------------------------------------------------------ keys

  function publicNumbers(jwk) {
    if (!jwk || jwk.kty !== "RSA") throw new TypeError("the public key must be an RSA JWK");
    if (jwk.alg !== undefined && jwk.alg !== JWK_ALG) throw new TypeError("the JWK is not for " + JWK_ALG);
    var n = bytesToBigInt(base64urlDecode(jwk.n)), e = bytesToBigInt(base64urlDecode(jwk.e));
    var bits = bitLength(n);
    if (bits < MIN_KEY_BITS) throw new RangeError("RSA keys must have at least " + MIN_KEY_BITS + " bits");
    if (e < 3n || e % 2n === 0n || n % 2n === 0n) throw new RangeError("not an RSA public key");
    return {n: n, e: e, bits: bits, length: Math.ceil(bits / 8)};
  }

  function importVerifyKey(jwk) {
    var clean = {kty: "RSA", n: jwk.n, e: jwk.e, alg: JWK_ALG, ext: true};
    return subtle().importKey("jwk", clean, {name: "RSA-PSS", hash: "SHA-384"}, true, ["verify"]);
  }

  function toHex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  async function keyId(jwk) {
    publicNumbers(jwk);
    var spki = await subtle().exportKey("spki", await importVerifyKey(jwk));
    return toHex(new Uint8Array(await subtle().digest("SHA-256", spki)));
  }

  // The key's numbers, after checking that its kid (if any) names it.
  async function loadKey(jwk) {
    var key = publicNumbers(jwk);
    if (jwk.kid !== undefined && (await keyId(jwk)) !== jwk.kid) throw new Error("the JWK's kid does not name its key");
    return key;
  }

  function saltLengthOf(options) {
    var saltLength = options.saltLength === undefined ? SALT_LEN : options.saltLength;
    if (saltLength !== 0 && saltLength !== SALT_LEN) throw new RangeError("the salt length must be 0 or 48");
    return saltLength;
  }

  // ------------------------------------------------------------ RFC 9474 §4

  // Prepare (§4.1): 32 random bytes || msg, or msg itself when not randomized.
  async function prepare(msg, options) {
    options = options || {};
    msg = asBytes(msg, "the message");
    if (options.randomized === false) return msg.slice();
    var prefix = options.prefix === undefined ? randomBytes(PREFIX_LEN) : asBytes(options.prefix, "the prefix");
    if (prefix.length !== PREFIX_LEN) throw new RangeError("the prefix must be " + PREFIX_LEN + " bytes");
    return concat(prefix, msg);
  }

  // Blind (§4.2): {blindedMsg, inv}. blindedMsg goes to the server; inv stays for finalize.
  async function blind(jwk, preparedMsg, options) {
    options = options || {};
    preparedMsg = asBytes(preparedMsg, "the prepared message");
    var key = await loadKey(jwk), n = key.n;
    var saltLength = saltLengthOf(options);
    var salt = options.salt === undefined ? randomBytes(saltLength) : asBytes(options.salt, "the salt");
    if (salt.length !== saltLength) throw new RangeError("the salt must be " + saltLength + " bytes");
    var m = bytesToBigInt(await emsaPssEncode(preparedMsg, key.bits - 1, salt));
    if (gcd(m, n) !== 1n) throw new RangeError("invalid input: the encoded message is not coprime with n");
    var r;
    if (options.r !== undefined) r = bytesToBigInt(asBytes(options.r, "r"));
    else if (options.inv !== undefined) r = modInverse(bytesToBigInt(asBytes(options.inv, "inv")), n);
    else r = randomUnit(n);
    if (r < 1n || r >= n || gcd(r, n) !== 1n) throw new RangeError("r must be in [1, n) and coprime with n");
    var inv = modInverse(r, n);
    var blinded = (m * modPow(r, key.e, n)) % n;
    return {blindedMsg: bigIntToBytes(blinded, key.length), inv: bigIntToBytes(inv, key.length)};
  }

  // Finalize (§4.4): the RSASSA-PSS signature of preparedMsg; throws unless it verifies.
  async function finalize(jwk, preparedMsg, blindSig, inv, options) {
    options = options || {};
    preparedMsg = asBytes(preparedMsg, "the prepared message");
    blindSig = asBytes(blindSig, "the blind signature");
    inv = asBytes(inv, "inv");
    var key = await loadKey(jwk);
    if (blindSig.length !== key.length || inv.length !== key.length) throw new RangeError("unexpected input size");
    var z = bytesToBigInt(blindSig);
    if (z >= key.n) throw new RangeError("the blind signature is not below the modulus");
    var sig = bigIntToBytes((z * bytesToBigInt(inv)) % key.n, key.length);
    if (!(await verify(jwk, preparedMsg, sig, options))) throw new Error("invalid signature");
    return sig;
  }

  // RSASSA-PSS-VERIFY (SHA-384, MGF1-SHA-384) by WebCrypto: the finalized signature is a standard one.
  async function verify(jwk, msg, sig, options) {
    options = options || {};
    msg = asBytes(msg, "the message");
    sig = asBytes(sig, "the signature");
    var key = publicNumbers(jwk);
    if (sig.length !== key.length) return false;
    var cryptoKey = await importVerifyKey(jwk);
    return subtle().verify({name: "RSA-PSS", saltLength: saltLengthOf(options)}, cryptoKey, sig, msg);
  }

  window.ShishiBlind = Object.freeze({
    prepare: prepare,
    blind: blind,
    finalize: finalize,
    verify: verify,
    keyId: keyId,
    base64url: Object.freeze({encode: base64urlEncode, decode: base64urlDecode}),
    PREFIX_LEN: PREFIX_LEN,
    SALT_LEN: SALT_LEN,
  });
})();
