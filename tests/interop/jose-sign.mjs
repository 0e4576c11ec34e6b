// Tokens signed by jose, for czmc to verify (good ones and malicious ones).
// Case: {header, payload, jwk | secret | unsecured, claims?, payloadText?}
//   jwk: a private JWK, imported for header.alg (CompactSign, or SignJWT when `claims` is given:
//        {iss, jti, sub, nbf, exp} set with SignJWT's setters on top of `payload`);
//   secret: base64url bytes used as an HMAC key (e.g. the issuer's public key, for HS256 confusion);
//   unsecured: an `alg: none` JWT from UnsecuredJWT (jose allows no other header there);
//   payloadText: sign these exact bytes instead of JSON.stringify(payload).
// Result: {token}.
import { base64url, CompactSign, importJWK, SignJWT, UnsecuredJWT } from 'jose'
import { runCases } from './lib.mjs'

function withClaims(jwt, { iss, jti, sub, nbf, exp } = {}) {
  if (iss !== undefined) jwt.setIssuer(iss)
  if (jti !== undefined) jwt.setJti(jti)
  if (sub !== undefined) jwt.setSubject(sub)
  if (nbf !== undefined) jwt.setNotBefore(nbf)
  if (exp !== undefined) jwt.setExpirationTime(exp)
  return jwt
}

await runCases(async ({ header, payload, payloadText, jwk, secret, unsecured, claims }) => {
  if (unsecured) return { token: withClaims(new UnsecuredJWT(payload), claims).encode() }
  const key = secret !== undefined ? base64url.decode(secret) : await importJWK(jwk, header.alg)
  if (claims) return { token: await withClaims(new SignJWT(payload), claims).setProtectedHeader(header).sign(key) }
  const bytes = new TextEncoder().encode(payloadText ?? JSON.stringify(payload))
  return { token: await new CompactSign(bytes).setProtectedHeader(header).sign(key) }
})
